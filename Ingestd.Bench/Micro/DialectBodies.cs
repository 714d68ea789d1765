using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ingestd.Bench.Micro;

/// <summary>
/// The 500 reference events rewritten into each dialect's request body, the way its usual client
/// sends them (set-up only). Every body carries the same events: project id, timestamp, level,
/// service, message and the four metadata fields.
/// </summary>
internal static class DialectBodies
{
    /// <summary>Streams: one body per event, <c>{"timestamp","source","event":{level,message},"metadata"}</c>.</summary>
    public static byte[][] StreamsEvents(List<ReferenceEvent> events)
    {
        var bodies = new byte[events.Count][];
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            bodies[i] = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("timestamp", e.Timestamp);
                w.WriteString("source", e.Service);
                w.WriteStartObject("event");
                w.WriteString("level", e.Level);
                w.WriteString("message", e.Message);
                w.WriteEndObject();
                w.WritePropertyName("metadata");
                e.Metadata.WriteTo(w);
                w.WriteEndObject();
            });
        }
        return bodies;
    }

    /// <summary>Guardian NDJSON: the reference file as it is.</summary>
    public static byte[] GuardianNdjson() => BenchData.Ndjson500;

    /// <summary>Guardian text/plain: <c>2024-05-31 15:00:00.714 INFO message key=value…</c>, one event per line.</summary>
    public static byte[] GuardianText(List<ReferenceEvent> events)
    {
        var sb = new StringBuilder();
        foreach (var e in events)
        {
            var t = DateTimeOffset.Parse(e.Timestamp, CultureInfo.InvariantCulture).UtcDateTime;
            sb.Append(t.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append(' ')
                .Append(e.Level.ToUpperInvariant()).Append(' ').Append(e.Service).Append(": ").Append(e.Message);
            foreach (var m in e.Metadata.EnumerateObject()) sb.Append(' ').Append(m.Name).Append('=').Append(m.Value.ToString());
            sb.Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Operyn <c>/events/logs/batch</c>: an array of <c>{service, level, message, timestamp, metadata}</c>.</summary>
    public static byte[] OperynBatch(List<ReferenceEvent> events) => Json(w =>
    {
        w.WriteStartArray();
        foreach (var e in events)
        {
            w.WriteStartObject();
            w.WriteString("service", e.Service);
            w.WriteString("level", e.Level);
            w.WriteString("message", e.Message);
            w.WriteString("timestamp", e.Timestamp);
            w.WritePropertyName("metadata");
            e.Metadata.WriteTo(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    /// <summary>Air <c>/v1/ingest/logs</c>: <c>{"entries":[{timestamp, level, message, attributes}]}</c>.</summary>
    public static byte[] AirLogs(List<ReferenceEvent> events) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("entries");
        foreach (var e in events)
        {
            w.WriteStartObject();
            w.WriteString("timestamp", e.Timestamp);
            w.WriteString("level", e.Level);
            w.WriteString("message", e.Message);
            w.WriteStartObject("attributes");
            w.WriteString("service", e.Service);
            foreach (var m in e.Metadata.EnumerateObject()) m.WriteTo(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>Elasticsearch <c>_bulk</c>: <c>{"index":{}}</c> then the document, as Beats and the bulk helpers send.</summary>
    public static byte[] ElasticBulk(List<ReferenceEvent> events)
    {
        var sb = new StringBuilder();
        foreach (var e in events)
        {
            sb.Append("{\"index\":{}}\n");
            var doc = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("@timestamp", e.Timestamp);
                w.WriteString("log.level", e.Level);
                w.WriteString("service.name", e.Service);
                w.WriteString("message", e.Message);
                w.WriteString("project_id", e.ProjectId);
                w.WritePropertyName("metadata");
                e.Metadata.WriteTo(w);
                w.WriteEndObject();
            });
            sb.Append(Encoding.UTF8.GetString(doc)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>
    /// Loki push JSON: one stream per (service, level) label set, as promtail and winston-loki batch;
    /// each line is the event's JSON text.
    /// </summary>
    public static byte[] LokiJson(List<ReferenceEvent> events) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("streams");
        foreach (var group in LokiStreams(events))
        {
            w.WriteStartObject();
            w.WriteStartObject("stream");
            w.WriteString("service_name", group[0].Service);
            w.WriteString("level", group[0].Level);
            w.WriteString("project_id", group[0].ProjectId);
            w.WriteEndObject();
            w.WriteStartArray("values");
            foreach (var e in group)
            {
                w.WriteStartArray();
                w.WriteStringValue(e.UnixNs.ToString(CultureInfo.InvariantCulture));
                w.WriteStringValue(e.Line);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>
    /// Loki push protobuf (logproto.PushRequest), snappy block-compressed as Loki clients send it:
    /// PushRequest { streams = 1 }, StreamAdapter { labels = 1; entries = 2 },
    /// EntryAdapter { timestamp = 1 (google.protobuf.Timestamp { seconds = 1; nanos = 2 }); line = 2 }.
    /// </summary>
    public static byte[] LokiProtobufSnappy(List<ReferenceEvent> events)
    {
        var push = new ProtoWriter();
        foreach (var group in LokiStreams(events))
        {
            var stream = new ProtoWriter().String(1,
                $"{{level=\"{group[0].Level}\", project_id=\"{group[0].ProjectId}\", service_name=\"{group[0].Service}\"}}");
            foreach (var e in group)
            {
                var ts = new ProtoWriter().Varint(1, (ulong)(e.UnixNs / 1_000_000_000)).Varint(2, (ulong)(e.UnixNs % 1_000_000_000));
                stream.Message(2, new ProtoWriter().Message(1, ts).String(2, e.Line));
            }
            push.Message(1, stream);
        }
        return Snappier.Snappy.CompressToArray(push.ToArray());
    }

    /// <summary>
    /// OTLP/HTTP JSON logs: one ResourceLogs per service (<c>service.name</c>), one ScopeLogs, one
    /// LogRecord per event with timeUnixNano, severity, the message as body and the rest as attributes.
    /// </summary>
    public static byte[] OtlpJson(List<ReferenceEvent> events) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("resourceLogs");
        foreach (var group in ByService(events))
        {
            w.WriteStartObject();
            w.WriteStartObject("resource");
            w.WriteStartArray("attributes");
            OtlpJsonAttribute(w, "service.name", group[0].Service);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("scopeLogs");
            w.WriteStartObject();
            w.WriteStartObject("scope");
            w.WriteString("name", "bench");
            w.WriteEndObject();
            w.WriteStartArray("logRecords");
            foreach (var e in group)
            {
                w.WriteStartObject();
                w.WriteString("timeUnixNano", e.UnixNs.ToString(CultureInfo.InvariantCulture));
                w.WriteNumber("severityNumber", SeverityNumber(e.Level));
                w.WriteString("severityText", e.Level.ToUpperInvariant());
                w.WriteStartObject("body");
                w.WriteString("stringValue", e.Message);
                w.WriteEndObject();
                w.WriteStartArray("attributes");
                OtlpJsonAttribute(w, "project_id", e.ProjectId);
                foreach (var m in e.Metadata.EnumerateObject())
                {
                    if (m.Value.ValueKind == JsonValueKind.Number)
                    {
                        w.WriteStartObject();
                        w.WriteString("key", m.Name);
                        w.WriteStartObject("value");
                        w.WriteString("intValue", m.Value.GetInt64().ToString(CultureInfo.InvariantCulture));
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    else OtlpJsonAttribute(w, m.Name, m.Value.GetString()!);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>
    /// The same request as <see cref="OtlpJson"/> in protobuf: ExportLogsServiceRequest { resource_logs = 1 },
    /// ResourceLogs { resource = 1; scope_logs = 2 }, ScopeLogs { scope = 1; log_records = 2 },
    /// LogRecord { time_unix_nano = 1 (fixed64); severity_number = 2; severity_text = 3; body = 5; attributes = 6 },
    /// KeyValue { key = 1; value = 2 }, AnyValue { string_value = 1; int_value = 3 }.
    /// </summary>
    public static byte[] OtlpProtobuf(List<ReferenceEvent> events)
    {
        var request = new ProtoWriter();
        foreach (var group in ByService(events))
        {
            var scopeLogs = new ProtoWriter().Message(1, new ProtoWriter().String(1, "bench"));
            foreach (var e in group)
            {
                var record = new ProtoWriter()
                    .Fixed64(1, (ulong)e.UnixNs)
                    .Varint(2, (ulong)SeverityNumber(e.Level))
                    .String(3, e.Level.ToUpperInvariant())
                    .Message(5, new ProtoWriter().String(1, e.Message))
                    .Message(6, KeyValue("project_id", new ProtoWriter().String(1, e.ProjectId)));
                foreach (var m in e.Metadata.EnumerateObject())
                {
                    var value = m.Value.ValueKind == JsonValueKind.Number
                        ? new ProtoWriter().Varint(3, (ulong)m.Value.GetInt64())
                        : new ProtoWriter().String(1, m.Value.GetString()!);
                    record.Message(6, KeyValue(m.Name, value));
                }
                scopeLogs.Message(2, record);
            }
            var resource = new ProtoWriter().Message(1, KeyValue("service.name", new ProtoWriter().String(1, group[0].Service)));
            request.Message(1, new ProtoWriter().Message(1, resource).Message(2, scopeLogs));
        }
        return request.ToArray();
    }

    /// <summary>Splunk HEC <c>/services/collector/event</c>: concatenated <c>{"time","host","source","sourcetype","event"}</c> objects.</summary>
    public static byte[] HecEvents(List<ReferenceEvent> events)
    {
        var sb = new StringBuilder();
        foreach (var e in events)
        {
            string seconds = string.Create(CultureInfo.InvariantCulture, $"{e.UnixNs / 1_000_000_000}.{e.UnixNs % 1_000_000_000 / 1_000_000:D3}");
            sb.Append("{\"time\":").Append(seconds).Append(",\"host\":\"bench-host\",\"source\":\"").Append(e.Service)
                .Append("\",\"sourcetype\":\"_json\",\"event\":").Append(e.Line).Append("}\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static ProtoWriter KeyValue(string key, ProtoWriter value) => new ProtoWriter().String(1, key).Message(2, value);

    private static void OtlpJsonAttribute(Utf8JsonWriter w, string key, string value)
    {
        w.WriteStartObject();
        w.WriteString("key", key);
        w.WriteStartObject("value");
        w.WriteString("stringValue", value);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // OpenTelemetry log data model: DEBUG 5, INFO 9, WARN 13, ERROR 17.
    private static int SeverityNumber(string level) => level switch
    {
        "debug" => 5,
        "info" => 9,
        "warn" => 13,
        "error" => 17,
        _ => 0,
    };

    private static List<List<ReferenceEvent>> LokiStreams(List<ReferenceEvent> events)
        => events.GroupBy(e => (e.Service, e.Level)).Select(g => g.ToList()).ToList();

    private static List<List<ReferenceEvent>> ByService(List<ReferenceEvent> events)
        => events.GroupBy(e => e.Service).Select(g => g.ToList()).ToList();

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return output.WrittenSpan.ToArray();
    }
}
