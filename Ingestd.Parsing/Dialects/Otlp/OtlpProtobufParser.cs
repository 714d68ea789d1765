using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Dialects.Protobuf;
using W = Ingestd.Parsing.Dialects.Protobuf.ProtoWireType;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// OTLP/HTTP binary protobuf bodies (<c>application/x-protobuf</c>): <c>Export{Logs,Trace,Metrics}ServiceRequest</c>
/// from opentelemetry-proto (<c>collector/*/v1/*_service.proto</c>, <c>logs/v1/logs.proto</c>, <c>trace/v1/trace.proto</c>,
/// <c>metrics/v1/metrics.proto</c>, <c>common/v1/common.proto</c>, <c>resource/v1/resource.proto</c>). Field numbers
/// below are the .proto's. A malformed wire encoding anywhere refuses the whole request; an item whose content is
/// invalid (an id of the wrong length, a metric without a name) is rejected alone.
/// </summary>
internal static class OtlpProtobufParser
{
    /// <summary>Nesting limit for AnyValue arrays and key-value lists (the JSON reader's default depth).</summary>
    public const int MaxDepth = 64;

    public static OtlpResult Parse(OtlpSignal signal, ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        using var sink = new OtlpRecordWriter(batch, receivedNs, tenant);
        // Export*ServiceRequest { repeated Resource{Logs,Spans,Metrics} resource_* = 1; }
        var request = new ProtoReader(body);
        while (request.Next(out int field, out var wire))
        {
            if (field != 1) { request.Skip(wire); continue; }
            request.Expect(wire, W.Len, field);
            ParseEnvelope<ResourceLevel>(request.ReadMessage(), signal, sink);
        }
        return sink.Result;
    }

    // Resource{Logs,Spans,Metrics} { Resource resource = 1; repeated Scope* scope_* = 2; string schema_url = 3; }
    // Scope{Logs,Spans,Metrics} { InstrumentationScope scope = 1; repeated <item> = 2; string schema_url = 3; }
    // Both levels share one shape. The header (field 1) is rendered first, wherever it sits in the message, so that
    // every record below can carry it; then the children (field 2). TLevel says which level (specialised, no dispatch).
    private static void ParseEnvelope<TLevel>(ProtoReader message, OtlpSignal signal, OtlpRecordWriter sink)
        where TLevel : struct, IEnvelopeLevel
    {
        TLevel.Begin(sink);
        var scan = message;
        while (scan.Next(out int field, out var wire))
        {
            if (field != 1) { scan.Skip(wire); continue; }
            scan.Expect(wire, W.Len, field);
            TLevel.Render(scan.ReadMessage(), sink);
        }
        while (message.Next(out int field, out var wire))
        {
            if (field != 2) { message.Skip(wire); continue; }
            message.Expect(wire, W.Len, field);
            TLevel.ParseChild(message.ReadMessage(), signal, sink);
        }
    }

    /// <summary>One level of the OTLP envelope for <see cref="ParseEnvelope{TLevel}"/>.</summary>
    private interface IEnvelopeLevel
    {
        static abstract void Begin(OtlpRecordWriter sink);
        static abstract void Render(ProtoReader header, OtlpRecordWriter sink);
        static abstract void ParseChild(ProtoReader child, OtlpSignal signal, OtlpRecordWriter sink);
    }

    private readonly struct ResourceLevel : IEnvelopeLevel
    {
        public static void Begin(OtlpRecordWriter sink) => sink.ClearResource();
        public static void Render(ProtoReader header, OtlpRecordWriter sink) => RenderResource(header, sink);
        public static void ParseChild(ProtoReader child, OtlpSignal signal, OtlpRecordWriter sink)
            => ParseEnvelope<ScopeLevel>(child, signal, sink);
    }

    private readonly struct ScopeLevel : IEnvelopeLevel
    {
        public static void Begin(OtlpRecordWriter sink) => sink.ClearScope();
        public static void Render(ProtoReader header, OtlpRecordWriter sink) => RenderScope(header, sink);

        public static void ParseChild(ProtoReader child, OtlpSignal signal, OtlpRecordWriter sink)
        {
            switch (signal)
            {
                case OtlpSignal.Logs: ParseLogRecord(child, sink); break;
                case OtlpSignal.Traces: ParseSpan(child, sink); break;
                default: ParseMetric(child, sink); break;
            }
        }
    }

    // Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; … }
    private static void RenderResource(ProtoReader resource, OtlpRecordWriter sink)
    {
        var w = sink.BeginResource();
        w.WriteStartObject();
        while (resource.Next(out int field, out var wire))
        {
            if (field != 1) { resource.Skip(wire); continue; }
            resource.Expect(wire, W.Len, field);
            var kv = resource.ReadMessage();
            WritePlainKeyValue(kv, w, 0, out var key, out var value);
            if (key.SequenceEqual("service.name"u8) && TryGetString(value, out var service)) sink.SetService(service);
        }
        w.WriteEndObject();
        sink.EndResource();
    }

    // InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
    private static void RenderScope(ProtoReader scope, OtlpRecordWriter sink)
    {
        ReadOnlySpan<byte> name = default, version = default;
        var attributes = scope;
        while (scope.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: name = ReadString(ref scope, wire, field); break;
                case 2: version = ReadString(ref scope, wire, field); break;
                default: scope.Skip(wire); break;
            }
        }
        var w = sink.BeginScope();
        w.WriteStartObject();
        if (!name.IsEmpty) w.WriteString("name"u8, name);
        if (!version.IsEmpty) w.WriteString("version"u8, version);
        WritePlainAttributes(attributes, 3, "attributes"u8, w);
        w.WriteEndObject();
        sink.EndScope();
    }

    // ---- logs ----

    // LogRecord { fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; SeverityNumber severity_number = 2;
    //   string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7;
    //   fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10; string event_name = 12; }
    private static void ParseLogRecord(ProtoReader record, OtlpRecordWriter sink)
    {
        var again = record;
        ulong time = 0, observed = 0;
        long severity = 0;
        uint flags = 0;
        ReadOnlySpan<byte> severityText = default, eventName = default, traceId = default, spanId = default;
        ProtoReader body = default;
        bool hasBody = false;
        while (record.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: record.Expect(wire, W.Fixed64, field); time = record.ReadFixed64(); break;
                case 11: record.Expect(wire, W.Fixed64, field); observed = record.ReadFixed64(); break;
                case 2: record.Expect(wire, W.Varint, field); severity = (int)record.ReadVarint(); break;
                case 3: severityText = ReadString(ref record, wire, field); break;
                case 5: record.Expect(wire, W.Len, field); body = record.ReadMessage(); hasBody = true; break;
                case 8: record.Expect(wire, W.Fixed32, field); flags = record.ReadFixed32(); break;
                case 9: traceId = ReadBytes(ref record, wire, field); break;
                case 10: spanId = ReadBytes(ref record, wire, field); break;
                case 12: eventName = ReadString(ref record, wire, field); break;
                default: record.Skip(wire); break;
            }
        }
        try
        {
            OtlpRecordWriter.CheckId(traceId, 16, required: false, "traceId");
            OtlpRecordWriter.CheckId(spanId, 8, required: false, "spanId");
            var w = sink.BeginRecord("log"u8);
            w.WriteStartObject();
            if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
            if (observed != 0) OtlpRecordWriter.WriteUInt64String(w, "observedTimeUnixNano"u8, observed);
            if (severity != 0) w.WriteNumber("severityNumber"u8, severity);
            if (!severityText.IsEmpty) w.WriteString("severityText"u8, severityText);
            if (!eventName.IsEmpty) w.WriteString("eventName"u8, eventName);
            if (hasBody)
            {
                w.WritePropertyName("body"u8);
                WritePlainAny(body, w, 0);
            }
            WritePlainAttributes(again, 6, "attributes"u8, w);
            if (!traceId.IsEmpty) OtlpRecordWriter.WriteHex(w, "traceId"u8, traceId);
            if (!spanId.IsEmpty) OtlpRecordWriter.WriteHex(w, "spanId"u8, spanId);
            if (flags != 0) w.WriteNumber("flags"u8, flags);
            w.WriteEndObject();
            sink.Commit(RecordKind.Log, time != 0 ? time : observed, time, sink.Level(severityText, severity));
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("log record", e.Message);
        }
    }

    // ---- traces ----

    // Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
    //   string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
    //   repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
    //   uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15; }
    private static void ParseSpan(ProtoReader span, OtlpRecordWriter sink)
    {
        var again = span;
        ReadOnlySpan<byte> traceId = default, spanId = default, parentSpanId = default, traceState = default, name = default;
        ReadOnlySpan<byte> statusMessage = default;
        uint flags = 0;
        long kind = 0, statusCode = 0;
        ulong start = 0, end = 0;
        while (span.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: traceId = ReadBytes(ref span, wire, field); break;
                case 2: spanId = ReadBytes(ref span, wire, field); break;
                case 3: traceState = ReadString(ref span, wire, field); break;
                case 4: parentSpanId = ReadBytes(ref span, wire, field); break;
                case 16: span.Expect(wire, W.Fixed32, field); flags = span.ReadFixed32(); break;
                case 5: name = ReadString(ref span, wire, field); break;
                case 6: span.Expect(wire, W.Varint, field); kind = (int)span.ReadVarint(); break;
                case 7: span.Expect(wire, W.Fixed64, field); start = span.ReadFixed64(); break;
                case 8: span.Expect(wire, W.Fixed64, field); end = span.ReadFixed64(); break;
                case 15:
                    // Status { reserved 1; string message = 2; StatusCode code = 3; }
                    span.Expect(wire, W.Len, field);
                    var status = span.ReadMessage();
                    while (status.Next(out int f, out var sw))
                    {
                        if (f == 2) statusMessage = ReadString(ref status, sw, f);
                        else if (f == 3) { status.Expect(sw, W.Varint, f); statusCode = (int)status.ReadVarint(); }
                        else status.Skip(sw);
                    }
                    break;
                default: span.Skip(wire); break;
            }
        }
        try
        {
            OtlpRecordWriter.CheckId(traceId, 16, required: true, "traceId");
            OtlpRecordWriter.CheckId(spanId, 8, required: true, "spanId");
            OtlpRecordWriter.CheckId(parentSpanId, 8, required: false, "parentSpanId");
            var w = sink.BeginRecord("span"u8);
            w.WriteStartObject();
            OtlpRecordWriter.WriteHex(w, "traceId"u8, traceId);
            OtlpRecordWriter.WriteHex(w, "spanId"u8, spanId);
            if (!parentSpanId.IsEmpty) OtlpRecordWriter.WriteHex(w, "parentSpanId"u8, parentSpanId);
            if (!traceState.IsEmpty) w.WriteString("traceState"u8, traceState);
            if (flags != 0) w.WriteNumber("flags"u8, flags);
            if (!name.IsEmpty) w.WriteString("name"u8, name);
            if (kind != 0) w.WriteNumber("kind"u8, kind);
            if (start != 0) OtlpRecordWriter.WriteUInt64String(w, "startTimeUnixNano"u8, start);
            if (end != 0) OtlpRecordWriter.WriteUInt64String(w, "endTimeUnixNano"u8, end);
            WritePlainAttributes(again, 9, "attributes"u8, w);
            if (statusCode != 0 || !statusMessage.IsEmpty)
            {
                w.WriteStartObject("status"u8);
                if (statusCode != 0) w.WriteNumber("code"u8, statusCode);
                if (!statusMessage.IsEmpty) w.WriteString("message"u8, statusMessage);
                w.WriteEndObject();
            }
            WriteEvents(again, w);
            WriteLinks(again, w);
            w.WriteEndObject();
            sink.Commit(RecordKind.Trace, start, start, statusCode == 2 ? "error"u8 : default);
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("span", e.Message);
        }
    }

    // Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
    private static void WriteEvents(ProtoReader span, Utf8JsonWriter w)
    {
        bool started = false;
        while (span.Next(out int field, out var wire))
        {
            if (field != 11) { span.Skip(wire); continue; }
            span.Expect(wire, W.Len, field);
            var ev = span.ReadMessage();
            var attributes = ev;
            ulong time = 0;
            ReadOnlySpan<byte> name = default;
            while (ev.Next(out int f, out var ew))
            {
                if (f == 1) { ev.Expect(ew, W.Fixed64, f); time = ev.ReadFixed64(); }
                else if (f == 2) name = ReadString(ref ev, ew, f);
                else ev.Skip(ew);
            }
            if (!started) { w.WriteStartArray("events"u8); started = true; }
            w.WriteStartObject();
            if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
            if (!name.IsEmpty) w.WriteString("name"u8, name);
            WritePlainAttributes(attributes, 3, "attributes"u8, w);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
    }

    // Span.Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
    //   uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
    private static void WriteLinks(ProtoReader span, Utf8JsonWriter w)
    {
        bool started = false;
        while (span.Next(out int field, out var wire))
        {
            if (field != 13) { span.Skip(wire); continue; }
            span.Expect(wire, W.Len, field);
            var link = span.ReadMessage();
            var attributes = link;
            ReadOnlySpan<byte> traceId = default, spanId = default, traceState = default;
            uint flags = 0;
            while (link.Next(out int f, out var lw))
            {
                switch (f)
                {
                    case 1: traceId = ReadBytes(ref link, lw, f); break;
                    case 2: spanId = ReadBytes(ref link, lw, f); break;
                    case 3: traceState = ReadString(ref link, lw, f); break;
                    case 6: link.Expect(lw, W.Fixed32, f); flags = link.ReadFixed32(); break;
                    default: link.Skip(lw); break;
                }
            }
            OtlpRecordWriter.CheckId(traceId, 16, required: true, "links.traceId");
            OtlpRecordWriter.CheckId(spanId, 8, required: true, "links.spanId");
            if (!started) { w.WriteStartArray("links"u8); started = true; }
            w.WriteStartObject();
            OtlpRecordWriter.WriteHex(w, "traceId"u8, traceId);
            OtlpRecordWriter.WriteHex(w, "spanId"u8, spanId);
            if (!traceState.IsEmpty) w.WriteString("traceState"u8, traceState);
            if (flags != 0) w.WriteNumber("flags"u8, flags);
            WritePlainAttributes(attributes, 4, "attributes"u8, w);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
    }

    // ---- metrics ----

    // Metric { string name = 1; string description = 2; string unit = 3; oneof data { Gauge gauge = 5; Sum sum = 7;
    //   Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; Summary summary = 11; }
    //   repeated KeyValue metadata = 12; }
    // The metric is rendered in OTLP JSON form (attributes as key/value lists, 64-bit integers as strings), the
    // same form a JSON request carries, so a metric reads alike whichever encoding it arrived in.
    private static void ParseMetric(ProtoReader metric, OtlpRecordWriter sink)
    {
        var again = metric;
        ReadOnlySpan<byte> name = default, description = default, unit = default;
        int dataField = 0;
        ProtoReader data = default;
        while (metric.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: name = ReadString(ref metric, wire, field); break;
                case 2: description = ReadString(ref metric, wire, field); break;
                case 3: unit = ReadString(ref metric, wire, field); break;
                case 5 or 7 or 9 or 10 or 11:
                    // A oneof: the last member on the wire wins (protobuf encoding guide, "Oneofs").
                    metric.Expect(wire, W.Len, field);
                    data = metric.ReadMessage();
                    dataField = field;
                    break;
                default: metric.Skip(wire); break;
            }
        }
        // Every data kind keeps its points in field 1, each with time_unix_nano in field 3.
        int points = 0;
        ulong firstTime = 0;
        var scan = data;
        while (dataField != 0 && scan.Next(out int field, out var wire))
        {
            if (field != 1) { scan.Skip(wire); continue; }
            scan.Expect(wire, W.Len, field);
            var point = scan.ReadMessage();
            if (points++ == 0)
            {
                while (point.Next(out int f, out var pw))
                {
                    if (f == 3) { point.Expect(pw, W.Fixed64, f); firstTime = point.ReadFixed64(); }
                    else point.Skip(pw);
                }
            }
        }
        try
        {
            if (name.IsEmpty) OtlpRecordWriter.FailRecord("name is required");
            var w = sink.BeginRecord("metric"u8);
            w.WriteStartObject();
            w.WriteString("name"u8, name);
            if (!description.IsEmpty) w.WriteString("description"u8, description);
            if (!unit.IsEmpty) w.WriteString("unit"u8, unit);
            switch (dataField)
            {
                case 5: WriteMetricData(data, "gauge"u8, NumberPoint, w); break;
                case 7: WriteMetricData(data, "sum"u8, NumberPoint, w); break;
                case 9: WriteMetricData(data, "histogram"u8, HistogramPoint, w); break;
                case 10: WriteMetricData(data, "exponentialHistogram"u8, ExponentialPoint, w); break;
                case 11: WriteMetricData(data, "summary"u8, SummaryPoint, w); break;
            }
            WriteOtlpAttributes(again, 12, "metadata"u8, w);
            w.WriteEndObject();
            sink.Commit(RecordKind.Metric, firstTime, firstTime, default);
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("metric", e.Message, Math.Max(points, 1));
        }
    }

    private const int NumberPoint = 0, HistogramPoint = 1, ExponentialPoint = 2, SummaryPoint = 3;

    // Gauge { repeated NumberDataPoint data_points = 1; }
    // Sum { repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3; }
    // Histogram / ExponentialHistogram { repeated … data_points = 1; AggregationTemporality aggregation_temporality = 2; }
    // Summary { repeated SummaryDataPoint data_points = 1; }
    private static void WriteMetricData(ProtoReader data, ReadOnlySpan<byte> member, int pointKind, Utf8JsonWriter w)
    {
        w.WriteStartObject(member);
        long temporality = 0;
        bool monotonic = false, started = false;
        while (data.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1:
                    data.Expect(wire, W.Len, field);
                    if (!started) { w.WriteStartArray("dataPoints"u8); started = true; }
                    var point = data.ReadMessage();
                    switch (pointKind)
                    {
                        case NumberPoint: WriteNumberPoint(point, w); break;
                        case HistogramPoint: WriteHistogramPoint(point, w); break;
                        case ExponentialPoint: WriteExponentialPoint(point, w); break;
                        default: WriteSummaryPoint(point, w); break;
                    }
                    break;
                case 2: data.Expect(wire, W.Varint, field); temporality = (int)data.ReadVarint(); break;
                case 3: data.Expect(wire, W.Varint, field); monotonic = data.ReadVarint() != 0; break;
                default: data.Skip(wire); break;
            }
        }
        if (started) w.WriteEndArray();
        if (temporality != 0) w.WriteNumber("aggregationTemporality"u8, temporality);
        if (monotonic) w.WriteBoolean("isMonotonic"u8, true);
        w.WriteEndObject();
    }

    // NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
    //   oneof value { double as_double = 4; sfixed64 as_int = 6; } repeated Exemplar exemplars = 5; uint32 flags = 8; }
    private static void WriteNumberPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, flags = 0, value = 0;
        int valueField = 0;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4 or 6: point.Expect(wire, W.Fixed64, field); value = point.ReadFixed64(); valueField = field; break;
                case 8: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 7, start, time, count: 0, w);
        if (valueField == 4)
        {
            w.WritePropertyName("asDouble"u8);
            OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)value));
        }
        else if (valueField == 6) OtlpRecordWriter.WriteInt64String(w, "asInt"u8, (long)value);
        WriteExemplars(again, 5, w);
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        w.WriteEndObject();
    }

    // HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
    //   fixed64 count = 4; optional double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
    //   repeated Exemplar exemplars = 8; uint32 flags = 10; optional double min = 11; optional double max = 12; }
    private static void WriteHistogramPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, count = 0, flags = 0;
        double sum = 0, min = 0, max = 0;
        bool hasSum = false, hasMin = false, hasMax = false;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4: point.Expect(wire, W.Fixed64, field); count = point.ReadFixed64(); break;
                case 5: point.Expect(wire, W.Fixed64, field); sum = point.ReadDouble(); hasSum = true; break;
                case 10: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                case 11: point.Expect(wire, W.Fixed64, field); min = point.ReadDouble(); hasMin = true; break;
                case 12: point.Expect(wire, W.Fixed64, field); max = point.ReadDouble(); hasMax = true; break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 9, start, time, count, w);
        if (hasSum) WriteDouble(w, "sum"u8, sum);
        WriteRepeatedFixed64(again, 6, "bucketCounts"u8, asDouble: false, w);
        WriteRepeatedFixed64(again, 7, "explicitBounds"u8, asDouble: true, w);
        WriteExemplars(again, 8, w);
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        if (hasMin) WriteDouble(w, "min"u8, min);
        if (hasMax) WriteDouble(w, "max"u8, max);
        w.WriteEndObject();
    }

    // ExponentialHistogramDataPoint { repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2;
    //   fixed64 time_unix_nano = 3; fixed64 count = 4; optional double sum = 5; sint32 scale = 6; fixed64 zero_count = 7;
    //   Buckets positive = 8; Buckets negative = 9; uint32 flags = 10; repeated Exemplar exemplars = 11;
    //   optional double min = 12; optional double max = 13; double zero_threshold = 14; }
    private static void WriteExponentialPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, count = 0, zeroCount = 0, flags = 0;
        long scale = 0;
        double sum = 0, min = 0, max = 0, zeroThreshold = 0;
        bool hasSum = false, hasMin = false, hasMax = false;
        ProtoReader positive = default, negative = default;
        bool hasPositive = false, hasNegative = false;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4: point.Expect(wire, W.Fixed64, field); count = point.ReadFixed64(); break;
                case 5: point.Expect(wire, W.Fixed64, field); sum = point.ReadDouble(); hasSum = true; break;
                case 6: point.Expect(wire, W.Varint, field); scale = (int)ProtoReader.ZigZag(point.ReadVarint()); break;
                case 7: point.Expect(wire, W.Fixed64, field); zeroCount = point.ReadFixed64(); break;
                case 8: point.Expect(wire, W.Len, field); positive = point.ReadMessage(); hasPositive = true; break;
                case 9: point.Expect(wire, W.Len, field); negative = point.ReadMessage(); hasNegative = true; break;
                case 10: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                case 12: point.Expect(wire, W.Fixed64, field); min = point.ReadDouble(); hasMin = true; break;
                case 13: point.Expect(wire, W.Fixed64, field); max = point.ReadDouble(); hasMax = true; break;
                case 14: point.Expect(wire, W.Fixed64, field); zeroThreshold = point.ReadDouble(); break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 1, start, time, count, w);
        if (hasSum) WriteDouble(w, "sum"u8, sum);
        if (scale != 0) w.WriteNumber("scale"u8, scale);
        if (zeroCount != 0) OtlpRecordWriter.WriteUInt64String(w, "zeroCount"u8, zeroCount);
        if (hasPositive) WriteBuckets(positive, "positive"u8, w);
        if (hasNegative) WriteBuckets(negative, "negative"u8, w);
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        WriteExemplars(again, 11, w);
        if (hasMin) WriteDouble(w, "min"u8, min);
        if (hasMax) WriteDouble(w, "max"u8, max);
        if (zeroThreshold != 0) WriteDouble(w, "zeroThreshold"u8, zeroThreshold);
        w.WriteEndObject();
    }

    /// <summary>Opens a data point's JSON object with the members every kind starts with (count: 0 for number points, which have none).</summary>
    private static void WritePointStart(ProtoReader point, int attributesField, ulong start, ulong time, ulong count, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        WriteOtlpAttributes(point, attributesField, "attributes"u8, w);
        if (start != 0) OtlpRecordWriter.WriteUInt64String(w, "startTimeUnixNano"u8, start);
        if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
        if (count != 0) OtlpRecordWriter.WriteUInt64String(w, "count"u8, count);
    }

    // Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
    private static void WriteBuckets(ProtoReader buckets, ReadOnlySpan<byte> member, Utf8JsonWriter w)
    {
        var again = buckets;
        long offset = 0;
        while (buckets.Next(out int field, out var wire))
        {
            if (field == 1) { buckets.Expect(wire, W.Varint, field); offset = (int)ProtoReader.ZigZag(buckets.ReadVarint()); }
            else buckets.Skip(wire);
        }
        w.WriteStartObject(member);
        if (offset != 0) w.WriteNumber("offset"u8, offset);
        bool started = false;
        while (again.Next(out int field, out var wire))
        {
            if (field != 2) { again.Skip(wire); continue; }
            if (!started) { w.WriteStartArray("bucketCounts"u8); started = true; }
            if (wire == W.Varint)
            {
                OtlpRecordWriter.WriteInt64StringValue(w, again.ReadVarint());
                continue;
            }
            again.Expect(wire, W.Len, field); // packed (protobuf encoding guide, "Packed Repeated Fields")
            var packed = again.ReadMessage();
            while (packed.HasMore) OtlpRecordWriter.WriteInt64StringValue(w, packed.ReadVarint());
        }
        if (started) w.WriteEndArray();
        w.WriteEndObject();
    }

    // SummaryDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
    //   fixed64 count = 4; double sum = 5; repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8; }
    // ValueAtQuantile { double quantile = 1; double value = 2; }
    private static void WriteSummaryPoint(ProtoReader point, Utf8JsonWriter w)
    {
        var again = point;
        ulong start = 0, time = 0, count = 0, flags = 0;
        double sum = 0;
        while (point.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 2: point.Expect(wire, W.Fixed64, field); start = point.ReadFixed64(); break;
                case 3: point.Expect(wire, W.Fixed64, field); time = point.ReadFixed64(); break;
                case 4: point.Expect(wire, W.Fixed64, field); count = point.ReadFixed64(); break;
                case 5: point.Expect(wire, W.Fixed64, field); sum = point.ReadDouble(); break;
                case 8: point.Expect(wire, W.Varint, field); flags = (uint)point.ReadVarint(); break;
                default: point.Skip(wire); break;
            }
        }
        WritePointStart(again, 7, start, time, count, w);
        if (sum != 0) WriteDouble(w, "sum"u8, sum);
        bool started = false;
        while (again.Next(out int field, out var wire))
        {
            if (field != 6) { again.Skip(wire); continue; }
            again.Expect(wire, W.Len, field);
            var quantile = again.ReadMessage();
            double q = 0, v = 0;
            while (quantile.Next(out int f, out var qw))
            {
                if (f == 1) { quantile.Expect(qw, W.Fixed64, f); q = quantile.ReadDouble(); }
                else if (f == 2) { quantile.Expect(qw, W.Fixed64, f); v = quantile.ReadDouble(); }
                else quantile.Skip(qw);
            }
            if (!started) { w.WriteStartArray("quantileValues"u8); started = true; }
            w.WriteStartObject();
            if (q != 0) WriteDouble(w, "quantile"u8, q);
            if (v != 0) WriteDouble(w, "value"u8, v);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
        if (flags != 0) w.WriteNumber("flags"u8, flags);
        w.WriteEndObject();
    }

    // Exemplar { repeated KeyValue filtered_attributes = 7; fixed64 time_unix_nano = 2;
    //   oneof value { double as_double = 3; sfixed64 as_int = 6; } bytes span_id = 4; bytes trace_id = 5; }
    private static void WriteExemplars(ProtoReader point, int exemplarField, Utf8JsonWriter w)
    {
        bool started = false;
        while (point.Next(out int field, out var wire))
        {
            if (field != exemplarField) { point.Skip(wire); continue; }
            point.Expect(wire, W.Len, field);
            var exemplar = point.ReadMessage();
            var attributes = exemplar;
            ulong time = 0, value = 0;
            int valueField = 0;
            ReadOnlySpan<byte> spanId = default, traceId = default;
            while (exemplar.Next(out int f, out var ew))
            {
                switch (f)
                {
                    case 2: exemplar.Expect(ew, W.Fixed64, f); time = exemplar.ReadFixed64(); break;
                    case 3 or 6: exemplar.Expect(ew, W.Fixed64, f); value = exemplar.ReadFixed64(); valueField = f; break;
                    case 4: spanId = ReadBytes(ref exemplar, ew, f); break;
                    case 5: traceId = ReadBytes(ref exemplar, ew, f); break;
                    default: exemplar.Skip(ew); break;
                }
            }
            OtlpRecordWriter.CheckId(traceId, 16, required: false, "exemplars.traceId");
            OtlpRecordWriter.CheckId(spanId, 8, required: false, "exemplars.spanId");
            if (!started) { w.WriteStartArray("exemplars"u8); started = true; }
            w.WriteStartObject();
            WriteOtlpAttributes(attributes, 7, "filteredAttributes"u8, w);
            if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
            if (valueField == 3)
            {
                w.WritePropertyName("asDouble"u8);
                OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)value));
            }
            else if (valueField == 6) OtlpRecordWriter.WriteInt64String(w, "asInt"u8, (long)value);
            if (!spanId.IsEmpty) OtlpRecordWriter.WriteHex(w, "spanId"u8, spanId);
            if (!traceId.IsEmpty) OtlpRecordWriter.WriteHex(w, "traceId"u8, traceId);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
    }

    /// <summary>A repeated fixed64 or double field, packed or not; fixed64 values as decimal strings.</summary>
    private static void WriteRepeatedFixed64(ProtoReader message, int wanted, ReadOnlySpan<byte> member, bool asDouble, Utf8JsonWriter w)
    {
        bool started = false;
        while (message.Next(out int field, out var wire))
        {
            if (field != wanted) { message.Skip(wire); continue; }
            if (!started) { w.WriteStartArray(member); started = true; }
            if (wire == W.Fixed64)
            {
                WriteFixed64Item(message.ReadFixed64(), asDouble, w);
                continue;
            }
            message.Expect(wire, W.Len, field);
            int at = message.Position;
            var packed = message.ReadBytes();
            if (packed.Length % 8 != 0) ProtoReader.Fail(at, $"packed field {field} is not a whole number of 8-byte values");
            for (int i = 0; i < packed.Length; i += 8)
                WriteFixed64Item(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(packed[i..]), asDouble, w);
        }
        if (started) w.WriteEndArray();
    }

    private static void WriteFixed64Item(ulong bits, bool asDouble, Utf8JsonWriter w)
    {
        if (asDouble) OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)bits));
        else OtlpRecordWriter.WriteInt64StringValue(w, bits);
    }

    private static void WriteDouble(Utf8JsonWriter w, ReadOnlySpan<byte> name, double value)
    {
        w.WritePropertyName(name);
        OtlpRecordWriter.WriteDoubleValue(w, value);
    }

    // ---- AnyValue and KeyValue ----

    /// <summary>The KeyValues in <paramref name="wanted"/> as one plain JSON object member (key → value); nothing when there are none.</summary>
    private static void WritePlainAttributes(ProtoReader message, int wanted, ReadOnlySpan<byte> member, Utf8JsonWriter w)
    {
        bool started = false;
        while (message.Next(out int field, out var wire))
        {
            if (field != wanted) { message.Skip(wire); continue; }
            message.Expect(wire, W.Len, field);
            if (!started) { w.WriteStartObject(member); started = true; }
            WritePlainKeyValue(message.ReadMessage(), w, 0, out _, out _);
        }
        if (started) w.WriteEndObject();
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    private static void WritePlainKeyValue(ProtoReader kv, Utf8JsonWriter w, int depth, out ReadOnlySpan<byte> key, out ProtoReader value)
    {
        key = default;
        value = default;
        bool hasValue = false;
        while (kv.Next(out int field, out var wire))
        {
            if (field == 1) key = ReadString(ref kv, wire, field);
            else if (field == 2) { kv.Expect(wire, W.Len, field); value = kv.ReadMessage(); hasValue = true; }
            else kv.Skip(wire);
        }
        w.WritePropertyName(key);
        if (hasValue) WritePlainAny(value, w, depth);
        else w.WriteNullValue();
    }

    // AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    //   ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
    // ArrayValue { repeated AnyValue values = 1; }  KeyValueList { repeated KeyValue values = 1; }
    /// <summary>An AnyValue as plain JSON: string, bool, number, array, object (kvlist), base64 string (bytes), null (empty).</summary>
    private static void WritePlainAny(ProtoReader any, Utf8JsonWriter w, int depth)
    {
        if (depth >= MaxDepth) ProtoReader.Fail(any.Position, $"AnyValue nested deeper than {MaxDepth}");
        int kind = ReadAny(ref any, out ulong scalar, out ReadOnlySpan<byte> bytes, out ProtoReader nested);
        switch (kind)
        {
            case 1: w.WriteStringValue(bytes); break;
            case 2: w.WriteBooleanValue(scalar != 0); break;
            case 3: w.WriteNumberValue((long)scalar); break;
            case 4: OtlpRecordWriter.WriteDoubleValue(w, BitConverter.Int64BitsToDouble((long)scalar)); break;
            case 5:
                w.WriteStartArray();
                while (nested.Next(out int field, out var wire))
                {
                    if (field != 1) { nested.Skip(wire); continue; }
                    nested.Expect(wire, W.Len, field);
                    WritePlainAny(nested.ReadMessage(), w, depth + 1);
                }
                w.WriteEndArray();
                break;
            case 6:
                w.WriteStartObject();
                while (nested.Next(out int field, out var wire))
                {
                    if (field != 1) { nested.Skip(wire); continue; }
                    nested.Expect(wire, W.Len, field);
                    WritePlainKeyValue(nested.ReadMessage(), w, depth + 1, out _, out _);
                }
                w.WriteEndObject();
                break;
            case 7: w.WriteBase64StringValue(bytes); break;
            default: w.WriteNullValue(); break;
        }
    }

    /// <summary>KeyValues as an OTLP JSON list member: <c>[{"key":…,"value":{"stringValue":…}}]</c>; nothing when there are none.</summary>
    private static void WriteOtlpAttributes(ProtoReader message, int wanted, ReadOnlySpan<byte> member, Utf8JsonWriter w)
    {
        bool started = false;
        while (message.Next(out int field, out var wire))
        {
            if (field != wanted) { message.Skip(wire); continue; }
            message.Expect(wire, W.Len, field);
            if (!started) { w.WriteStartArray(member); started = true; }
            WriteOtlpKeyValue(message.ReadMessage(), w, 0);
        }
        if (started) w.WriteEndArray();
    }

    private static void WriteOtlpKeyValue(ProtoReader kv, Utf8JsonWriter w, int depth)
    {
        ReadOnlySpan<byte> key = default;
        ProtoReader value = default;
        bool hasValue = false;
        while (kv.Next(out int field, out var wire))
        {
            if (field == 1) key = ReadString(ref kv, wire, field);
            else if (field == 2) { kv.Expect(wire, W.Len, field); value = kv.ReadMessage(); hasValue = true; }
            else kv.Skip(wire);
        }
        w.WriteStartObject();
        w.WriteString("key"u8, key);
        if (hasValue)
        {
            w.WritePropertyName("value"u8);
            WriteOtlpAny(value, w, depth);
        }
        w.WriteEndObject();
    }

    /// <summary>An AnyValue in OTLP JSON form: <c>{"stringValue":…}</c>, <c>{"intValue":"…"}</c>, <c>{"arrayValue":{"values":[…]}}</c>, ….</summary>
    private static void WriteOtlpAny(ProtoReader any, Utf8JsonWriter w, int depth)
    {
        if (depth >= MaxDepth) ProtoReader.Fail(any.Position, $"AnyValue nested deeper than {MaxDepth}");
        int kind = ReadAny(ref any, out ulong scalar, out ReadOnlySpan<byte> bytes, out ProtoReader nested);
        w.WriteStartObject();
        switch (kind)
        {
            case 1: w.WriteString("stringValue"u8, bytes); break;
            case 2: w.WriteBoolean("boolValue"u8, scalar != 0); break;
            case 3: OtlpRecordWriter.WriteInt64String(w, "intValue"u8, (long)scalar); break;
            case 4: WriteDouble(w, "doubleValue"u8, BitConverter.Int64BitsToDouble((long)scalar)); break;
            case 5 or 6:
                w.WriteStartObject(kind == 5 ? "arrayValue"u8 : "kvlistValue"u8);
                bool started = false;
                while (nested.Next(out int field, out var wire))
                {
                    if (field != 1) { nested.Skip(wire); continue; }
                    nested.Expect(wire, W.Len, field);
                    if (!started) { w.WriteStartArray("values"u8); started = true; }
                    if (kind == 5) WriteOtlpAny(nested.ReadMessage(), w, depth + 1);
                    else WriteOtlpKeyValue(nested.ReadMessage(), w, depth + 1);
                }
                if (started) w.WriteEndArray();
                w.WriteEndObject();
                break;
            case 7: w.WriteBase64String("bytesValue"u8, bytes); break;
        }
        w.WriteEndObject();
    }

    /// <summary>Reads an AnyValue's oneof (the last member on the wire wins); returns its field number, 0 when empty.</summary>
    private static int ReadAny(scoped ref ProtoReader any, out ulong scalar, out ReadOnlySpan<byte> bytes, out ProtoReader nested)
    {
        int kind = 0;
        scalar = 0;
        bytes = default;
        nested = default;
        while (any.Next(out int field, out var wire))
        {
            switch (field)
            {
                case 1: bytes = ReadString(ref any, wire, field); kind = 1; break;
                case 2 or 3: any.Expect(wire, W.Varint, field); scalar = any.ReadVarint(); kind = field; break;
                case 4: any.Expect(wire, W.Fixed64, field); scalar = any.ReadFixed64(); kind = 4; break;
                case 5 or 6: any.Expect(wire, W.Len, field); nested = any.ReadMessage(); kind = field; break;
                case 7: bytes = ReadBytes(ref any, wire, field); kind = 7; break;
                default: any.Skip(wire); break;
            }
        }
        return kind;
    }

    private static bool TryGetString(ProtoReader any, out ReadOnlySpan<byte> value)
    {
        int kind = ReadAny(ref any, out _, out value, out _);
        return kind == 1;
    }

    // ---- field helpers ----

    private static ReadOnlySpan<byte> ReadBytes(scoped ref ProtoReader reader, ProtoWireType wire, int field)
    {
        reader.Expect(wire, W.Len, field);
        return reader.ReadBytes();
    }

    /// <summary>A proto3 string field: must be valid UTF-8 (protobuf language guide, "Scalar Value Types").</summary>
    private static ReadOnlySpan<byte> ReadString(scoped ref ProtoReader reader, ProtoWireType wire, int field)
    {
        reader.Expect(wire, W.Len, field);
        int at = reader.Position;
        var value = reader.ReadBytes();
        if (!Utf8.IsValid(value)) FailUtf8(at, field);
        return value;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailUtf8(int at, int field) => ProtoReader.Fail(at, $"string field {field} is not valid UTF-8");
}
