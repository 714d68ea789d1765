using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// OTLP/HTTP JSON bodies (<c>application/json</c>): the protobuf messages in the proto3 JSON mapping with OTLP's
/// deviations (OTLP specification, "JSON Protobuf Encoding"): lowerCamelCase member names only, enums as integers,
/// trace and span ids as case-insensitive hex (not base64), 64-bit integers as decimal strings or numbers, unknown
/// members ignored. Records come out exactly as <see cref="OtlpProtobufParser"/> makes them for the same data
/// (metrics keep the metric object as sent, compacted).
/// <para>
/// Members may come in any order, but each record is written in one fixed order, so an item is read in two steps:
/// one pass over the item notes scalars and the extent of nested values, then the record is written, reading the
/// nested values again from their extents. Content errors inside an item reject that item alone; a syntax error
/// or a broken envelope refuses the request (<see cref="RejectReason.InvalidJson"/>).
/// </para>
/// </summary>
internal static class OtlpJsonParser
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow };

    public static OtlpResult Parse(OtlpSignal signal, ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        // Utf8JsonReader does not check the bytes inside strings; check once (vectorised) so that every
        // string copied into a record is valid UTF-8.
        if (!Utf8.IsValid(body)) ThrowInvalidUtf8(body);
        using var sink = new OtlpRecordWriter(batch, receivedNs, tenant);
        var reader = new Utf8JsonReader(body, Options);
        try
        {
            if (Next(ref reader) != JsonTokenType.StartObject) FailBody("the body must be a JSON object");
            var member = signal switch
            {
                OtlpSignal.Logs => "resourceLogs"u8,
                OtlpSignal.Traces => "resourceSpans"u8,
                _ => "resourceMetrics"u8,
            };
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                bool match = reader.ValueTextEquals(member);
                Next(ref reader);
                if (!match || reader.TokenType == JsonTokenType.Null)
                {
                    reader.Skip(); // unknown members are ignored (OTLP specification, "JSON Protobuf Encoding")
                    continue;
                }
                if (reader.TokenType != JsonTokenType.StartArray) FailBody($"'{System.Text.Encoding.UTF8.GetString(member)}' must be an array");
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) FailBody($"'{System.Text.Encoding.UTF8.GetString(member)}' items must be objects");
                    ParseEnvelope<ResourceLevel>(ref reader, body, signal, sink);
                }
            }
            // The root object is closed; Read refuses anything but whitespace after it.
            if (reader.Read()) FailBody("content after the JSON object");
            return sink.Result;
        }
        catch (JsonException e)
        {
            throw InvalidJson(e, reader.BytesConsumed);
        }
        catch (InvalidOperationException e)
        {
            // CopyString refuses escapes that decode to invalid UTF-16 (a lone surrogate such as "\uD800").
            throw JsonErrors.InvalidString(e, reader.BytesConsumed);
        }
    }

    // ---- envelope ----

    // Resource{Logs,Spans,Metrics}: {"resource":{…},"scope{Logs,Spans,Metrics}":[…],"schemaUrl":…} and
    // Scope{Logs,Spans,Metrics}: {"scope":{…},"logRecords"|"spans"|"metrics":[…],"schemaUrl":…} share one shape: a
    // header object that must be rendered before the children below it, and the children's list; when the list comes
    // first its extent is kept and read at the end. TLevel says which of the two levels it is (specialised, no dispatch).
    private static void ParseEnvelope<TLevel>(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpSignal signal, OtlpRecordWriter sink)
        where TLevel : struct, IEnvelopeLevel
    {
        var children = TLevel.Children(signal);
        TLevel.Begin(sink);
        bool headerSeen = false;
        Extent deferred = default;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(TLevel.Header))
            {
                if (Next(ref reader) == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartObject) FailBody(TLevel.HeaderNotObject);
                TLevel.Render(doc, Capture(ref reader), sink);
                headerSeen = true;
            }
            else if (reader.ValueTextEquals(children))
            {
                if (Next(ref reader) == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartArray) FailBody($"'{System.Text.Encoding.UTF8.GetString(children)}' must be an array");
                if (headerSeen) TLevel.ParseChildren(ref reader, doc, signal, sink);
                else if (deferred.IsSet) FailBody($"duplicate member '{System.Text.Encoding.UTF8.GetString(children)}'");
                else deferred = Capture(ref reader);
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }
        if (deferred.IsSet)
        {
            var sub = deferred.Of(doc);
            var childReader = Open(sub);
            TLevel.ParseChildren(ref childReader, sub, signal, sink);
        }
    }

    /// <summary>One level of the OTLP envelope for <see cref="ParseEnvelope{TLevel}"/>.</summary>
    private interface IEnvelopeLevel
    {
        static abstract ReadOnlySpan<byte> Header { get; }
        static abstract string HeaderNotObject { get; }
        static abstract ReadOnlySpan<byte> Children(OtlpSignal signal);
        static abstract void Begin(OtlpRecordWriter sink);
        static abstract void Render(ReadOnlySpan<byte> doc, Extent extent, OtlpRecordWriter sink);
        static abstract void ParseChildren(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpSignal signal, OtlpRecordWriter sink);
    }

    private readonly struct ResourceLevel : IEnvelopeLevel
    {
        public static ReadOnlySpan<byte> Header => "resource"u8;
        public static string HeaderNotObject => "'resource' must be an object";

        public static ReadOnlySpan<byte> Children(OtlpSignal signal) => signal switch
        {
            OtlpSignal.Logs => "scopeLogs"u8,
            OtlpSignal.Traces => "scopeSpans"u8,
            _ => "scopeMetrics"u8,
        };

        public static void Begin(OtlpRecordWriter sink) => sink.ClearResource();
        public static void Render(ReadOnlySpan<byte> doc, Extent extent, OtlpRecordWriter sink) => RenderResource(doc, extent, sink);
        public static void ParseChildren(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpSignal signal, OtlpRecordWriter sink)
            => ParseScopeList(ref reader, doc, signal, sink);
    }

    private readonly struct ScopeLevel : IEnvelopeLevel
    {
        public static ReadOnlySpan<byte> Header => "scope"u8;
        public static string HeaderNotObject => "'scope' must be an object";

        public static ReadOnlySpan<byte> Children(OtlpSignal signal) => signal switch
        {
            OtlpSignal.Logs => "logRecords"u8,
            OtlpSignal.Traces => "spans"u8,
            _ => "metrics"u8,
        };

        public static void Begin(OtlpRecordWriter sink) => sink.ClearScope();
        public static void Render(ReadOnlySpan<byte> doc, Extent extent, OtlpRecordWriter sink) => RenderScope(doc, extent, sink);
        public static void ParseChildren(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpSignal signal, OtlpRecordWriter sink)
            => ParseItemList(ref reader, doc, signal, sink);
    }

    private static void ParseScopeList(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpSignal signal, OtlpRecordWriter sink)
    {
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) FailBody("scope items must be objects");
            ParseEnvelope<ScopeLevel>(ref reader, doc, signal, sink);
        }
    }

    private static void ParseItemList(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpSignal signal, OtlpRecordWriter sink)
    {
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) FailBody("log records, spans and metrics must be objects");
            switch (signal)
            {
                case OtlpSignal.Logs: ParseLogRecord(ref reader, doc, sink); break;
                case OtlpSignal.Traces: ParseSpan(ref reader, doc, sink); break;
                default: ParseMetric(ref reader, doc, sink); break;
            }
        }
    }

    // Resource: {"attributes":[KeyValue…],"droppedAttributesCount":…}
    private static void RenderResource(ReadOnlySpan<byte> doc, Extent extent, OtlpRecordWriter sink)
    {
        var sub = extent.Of(doc);
        var reader = Open(sub);
        Extent attributes = default;
        try
        {
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                bool isAttributes = reader.ValueTextEquals("attributes"u8);
                Next(ref reader);
                if (isAttributes) attributes = CaptureArray(ref reader, "attributes");
                else reader.Skip();
            }
            var w = sink.BeginResource();
            w.WriteStartObject();
            if (attributes.IsSet)
            {
                var list = attributes.Of(sub);
                var r = Open(list);
                while (Next(ref r) != JsonTokenType.EndArray)
                {
                    WritePlainKeyValue(ref r, list, w, out var key, out var value);
                    if (key.IsSet && value.IsSet && IsServiceName(key.Of(list))) CaptureService(value.Of(list), sink);
                }
            }
            w.WriteEndObject();
            sink.EndResource();
        }
        catch (OtlpRecordException e)
        {
            throw new RequestRejectedException(RejectReason.InvalidJson, $"resource: {e.Message}");
        }
    }

    private static bool IsServiceName(ReadOnlySpan<byte> keyToken)
    {
        var r = Open(keyToken);
        return r.ValueTextEquals("service.name"u8);
    }

    /// <summary>The envelope service: <c>service.name</c> when it is a string value.</summary>
    private static void CaptureService(ReadOnlySpan<byte> anyValue, OtlpRecordWriter sink)
    {
        var r = Open(anyValue);
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            bool isString = r.ValueTextEquals("stringValue"u8);
            Next(ref r);
            if (isString && r.TokenType == JsonTokenType.String)
            {
                var text = Unescape(ref r, out byte[]? rented);
                sink.SetService(text);
                if (rented != null) ArrayPool<byte>.Shared.Return(rented);
                return;
            }
            r.Skip();
        }
    }

    // InstrumentationScope: {"name":…,"version":…,"attributes":[KeyValue…],"droppedAttributesCount":…}
    private static void RenderScope(ReadOnlySpan<byte> doc, Extent extent, OtlpRecordWriter sink)
    {
        var sub = extent.Of(doc);
        var reader = Open(sub);
        Extent name = default, version = default, attributes = default;
        try
        {
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("name"u8)) { Next(ref reader); name = CaptureString(ref reader, "name"); }
                else if (reader.ValueTextEquals("version"u8)) { Next(ref reader); version = CaptureString(ref reader, "version"); }
                else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = CaptureArray(ref reader, "attributes"); }
                else { Next(ref reader); reader.Skip(); }
            }
            var w = sink.BeginScope();
            w.WriteStartObject();
            WriteString(w, "name"u8, sub, name);
            WriteString(w, "version"u8, sub, version);
            WritePlainAttributes(w, "attributes"u8, sub, attributes);
            w.WriteEndObject();
            sink.EndScope();
        }
        catch (OtlpRecordException e)
        {
            throw new RequestRejectedException(RejectReason.InvalidJson, $"scope: {e.Message}");
        }
    }

    // ---- logs ----

    // LogRecord: timeUnixNano, observedTimeUnixNano, severityNumber, severityText, body, attributes,
    // droppedAttributesCount, flags, traceId, spanId, eventName.
    private static void ParseLogRecord(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpRecordWriter sink)
    {
        ulong time = 0, observed = 0, flags = 0;
        long severity = 0;
        Extent severityText = default, eventName = default, body = default, attributes = default, traceId = default, spanId = default;
        string? error = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("timeUnixNano"u8)) { Next(ref reader); time = UInt64(ref reader, "timeUnixNano", ref error); }
            else if (reader.ValueTextEquals("observedTimeUnixNano"u8)) { Next(ref reader); observed = UInt64(ref reader, "observedTimeUnixNano", ref error); }
            else if (reader.ValueTextEquals("severityNumber"u8)) { Next(ref reader); severity = Int32(ref reader, "severityNumber", ref error); }
            else if (reader.ValueTextEquals("severityText"u8)) { Next(ref reader); severityText = String(ref reader, "severityText", ref error); }
            else if (reader.ValueTextEquals("body"u8)) { Next(ref reader); body = Object(ref reader, "body", ref error); }
            else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = Array(ref reader, "attributes", ref error); }
            else if (reader.ValueTextEquals("flags"u8)) { Next(ref reader); flags = UInt32(ref reader, "flags", ref error); }
            else if (reader.ValueTextEquals("traceId"u8)) { Next(ref reader); traceId = String(ref reader, "traceId", ref error); }
            else if (reader.ValueTextEquals("spanId"u8)) { Next(ref reader); spanId = String(ref reader, "spanId", ref error); }
            else if (reader.ValueTextEquals("eventName"u8)) { Next(ref reader); eventName = String(ref reader, "eventName", ref error); }
            else { Next(ref reader); reader.Skip(); }
        }
        if (error != null)
        {
            sink.Reject("log record", error);
            return;
        }
        try
        {
            Span<byte> trace = stackalloc byte[16], span = stackalloc byte[8];
            trace = trace[..DecodeId(doc, traceId, trace, "traceId")];
            span = span[..DecodeId(doc, spanId, span, "spanId")];
            var w = sink.BeginRecord("log"u8);
            w.WriteStartObject();
            if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
            if (observed != 0) OtlpRecordWriter.WriteUInt64String(w, "observedTimeUnixNano"u8, observed);
            if (severity != 0) w.WriteNumber("severityNumber"u8, severity);
            ReadOnlySpan<byte> level = OtlpRecordWriter.SeverityLevel(severity);
            if (severityText.IsSet)
            {
                var text = severityText.Of(doc);
                var r = Open(text);
                var value = Unescape(ref r, out byte[]? rented);
                if (!value.IsEmpty)
                {
                    w.WriteString("severityText"u8, value);
                    level = sink.Level(value, severity);
                }
                if (rented != null) ArrayPool<byte>.Shared.Return(rented);
            }
            WriteString(w, "eventName"u8, doc, eventName);
            if (body.IsSet)
            {
                w.WritePropertyName("body"u8);
                var sub = body.Of(doc);
                var r = Open(sub);
                WritePlainAny(ref r, sub, w);
            }
            WritePlainAttributes(w, "attributes"u8, doc, attributes);
            if (!trace.IsEmpty) OtlpRecordWriter.WriteHex(w, "traceId"u8, trace);
            if (!span.IsEmpty) OtlpRecordWriter.WriteHex(w, "spanId"u8, span);
            if (flags != 0) w.WriteNumber("flags"u8, flags);
            w.WriteEndObject();
            sink.Commit(RecordKind.Log, time != 0 ? time : observed, time, level);
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("log record", e.Message);
        }
    }

    // ---- traces ----

    // Span: traceId, spanId, traceState, parentSpanId, flags, name, kind, startTimeUnixNano, endTimeUnixNano,
    // attributes, droppedAttributesCount, events, droppedEventsCount, links, droppedLinksCount, status.
    private static void ParseSpan(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpRecordWriter sink)
    {
        ulong start = 0, end = 0, flags = 0;
        long kind = 0, statusCode = 0;
        Extent traceId = default, spanId = default, parentSpanId = default, traceState = default, name = default;
        Extent attributes = default, events = default, links = default, statusMessage = default;
        string? error = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("traceId"u8)) { Next(ref reader); traceId = String(ref reader, "traceId", ref error); }
            else if (reader.ValueTextEquals("spanId"u8)) { Next(ref reader); spanId = String(ref reader, "spanId", ref error); }
            else if (reader.ValueTextEquals("parentSpanId"u8)) { Next(ref reader); parentSpanId = String(ref reader, "parentSpanId", ref error); }
            else if (reader.ValueTextEquals("traceState"u8)) { Next(ref reader); traceState = String(ref reader, "traceState", ref error); }
            else if (reader.ValueTextEquals("flags"u8)) { Next(ref reader); flags = UInt32(ref reader, "flags", ref error); }
            else if (reader.ValueTextEquals("name"u8)) { Next(ref reader); name = String(ref reader, "name", ref error); }
            else if (reader.ValueTextEquals("kind"u8)) { Next(ref reader); kind = Int32(ref reader, "kind", ref error); }
            else if (reader.ValueTextEquals("startTimeUnixNano"u8)) { Next(ref reader); start = UInt64(ref reader, "startTimeUnixNano", ref error); }
            else if (reader.ValueTextEquals("endTimeUnixNano"u8)) { Next(ref reader); end = UInt64(ref reader, "endTimeUnixNano", ref error); }
            else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = Array(ref reader, "attributes", ref error); }
            else if (reader.ValueTextEquals("events"u8)) { Next(ref reader); events = Array(ref reader, "events", ref error); }
            else if (reader.ValueTextEquals("links"u8)) { Next(ref reader); links = Array(ref reader, "links", ref error); }
            else if (reader.ValueTextEquals("status"u8))
            {
                // Status: {"message":…,"code":…}
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    error ??= "status must be an object";
                    continue;
                }
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("code"u8)) { Next(ref reader); statusCode = Int32(ref reader, "status.code", ref error); }
                    else if (reader.ValueTextEquals("message"u8)) { Next(ref reader); statusMessage = String(ref reader, "status.message", ref error); }
                    else { Next(ref reader); reader.Skip(); }
                }
            }
            else { Next(ref reader); reader.Skip(); }
        }
        if (error != null)
        {
            sink.Reject("span", error);
            return;
        }
        try
        {
            Span<byte> trace = stackalloc byte[16], span = stackalloc byte[8], parent = stackalloc byte[8];
            trace = trace[..DecodeId(doc, traceId, trace, "traceId")];
            span = span[..DecodeId(doc, spanId, span, "spanId")];
            parent = parent[..DecodeId(doc, parentSpanId, parent, "parentSpanId")];
            OtlpRecordWriter.CheckId(trace, 16, required: true, "traceId");
            OtlpRecordWriter.CheckId(span, 8, required: true, "spanId");
            var w = sink.BeginRecord("span"u8);
            w.WriteStartObject();
            OtlpRecordWriter.WriteHex(w, "traceId"u8, trace);
            OtlpRecordWriter.WriteHex(w, "spanId"u8, span);
            if (!parent.IsEmpty) OtlpRecordWriter.WriteHex(w, "parentSpanId"u8, parent);
            WriteString(w, "traceState"u8, doc, traceState);
            if (flags != 0) w.WriteNumber("flags"u8, flags);
            WriteString(w, "name"u8, doc, name);
            if (kind != 0) w.WriteNumber("kind"u8, kind);
            if (start != 0) OtlpRecordWriter.WriteUInt64String(w, "startTimeUnixNano"u8, start);
            if (end != 0) OtlpRecordWriter.WriteUInt64String(w, "endTimeUnixNano"u8, end);
            WritePlainAttributes(w, "attributes"u8, doc, attributes);
            if (statusCode != 0 || !IsEmptyString(statusMessage))
            {
                w.WriteStartObject("status"u8);
                if (statusCode != 0) w.WriteNumber("code"u8, statusCode);
                WriteString(w, "message"u8, doc, statusMessage);
                w.WriteEndObject();
            }
            if (events.IsSet) WriteEvents(w, events.Of(doc));
            if (links.IsSet) WriteLinks(w, links.Of(doc));
            w.WriteEndObject();
            sink.Commit(RecordKind.Trace, start, start, statusCode == 2 ? "error"u8 : default);
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("span", e.Message);
        }
    }

    // Span.Event: {"timeUnixNano":…,"name":…,"attributes":[…],"droppedAttributesCount":…}
    private static void WriteEvents(Utf8JsonWriter w, ReadOnlySpan<byte> list)
    {
        var reader = Open(list);
        bool started = false;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("events must be objects");
            ulong time = 0;
            Extent name = default, attributes = default;
            string? error = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("timeUnixNano"u8)) { Next(ref reader); time = UInt64(ref reader, "events.timeUnixNano", ref error); }
                else if (reader.ValueTextEquals("name"u8)) { Next(ref reader); name = String(ref reader, "events.name", ref error); }
                else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = Array(ref reader, "events.attributes", ref error); }
                else { Next(ref reader); reader.Skip(); }
            }
            if (error != null) OtlpRecordWriter.FailRecord(error);
            if (!started) { w.WriteStartArray("events"u8); started = true; }
            w.WriteStartObject();
            if (time != 0) OtlpRecordWriter.WriteUInt64String(w, "timeUnixNano"u8, time);
            WriteString(w, "name"u8, list, name);
            WritePlainAttributes(w, "attributes"u8, list, attributes);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
    }

    // Span.Link: {"traceId":…,"spanId":…,"traceState":…,"attributes":[…],"droppedAttributesCount":…,"flags":…}
    private static void WriteLinks(Utf8JsonWriter w, ReadOnlySpan<byte> list)
    {
        var reader = Open(list);
        bool started = false;
        Span<byte> trace = stackalloc byte[16], span = stackalloc byte[8];
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("links must be objects");
            ulong flags = 0;
            Extent traceId = default, spanId = default, traceState = default, attributes = default;
            string? error = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("traceId"u8)) { Next(ref reader); traceId = String(ref reader, "links.traceId", ref error); }
                else if (reader.ValueTextEquals("spanId"u8)) { Next(ref reader); spanId = String(ref reader, "links.spanId", ref error); }
                else if (reader.ValueTextEquals("traceState"u8)) { Next(ref reader); traceState = String(ref reader, "links.traceState", ref error); }
                else if (reader.ValueTextEquals("flags"u8)) { Next(ref reader); flags = UInt32(ref reader, "links.flags", ref error); }
                else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = Array(ref reader, "links.attributes", ref error); }
                else { Next(ref reader); reader.Skip(); }
            }
            if (error != null) OtlpRecordWriter.FailRecord(error);
            var t = trace[..DecodeId(list, traceId, trace, "links.traceId")];
            var s = span[..DecodeId(list, spanId, span, "links.spanId")];
            OtlpRecordWriter.CheckId(t, 16, required: true, "links.traceId");
            OtlpRecordWriter.CheckId(s, 8, required: true, "links.spanId");
            if (!started) { w.WriteStartArray("links"u8); started = true; }
            w.WriteStartObject();
            OtlpRecordWriter.WriteHex(w, "traceId"u8, t);
            OtlpRecordWriter.WriteHex(w, "spanId"u8, s);
            WriteString(w, "traceState"u8, list, traceState);
            if (flags != 0) w.WriteNumber("flags"u8, flags);
            WritePlainAttributes(w, "attributes"u8, list, attributes);
            w.WriteEndObject();
        }
        if (started) w.WriteEndArray();
    }

    // ---- metrics ----

    // Metric: name, description, unit, one of gauge|sum|histogram|exponentialHistogram|summary ({"dataPoints":[…],…}),
    // metadata. The record keeps the metric object as sent (compacted); only what the envelope needs is read here.
    private static void ParseMetric(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpRecordWriter sink)
    {
        int start = (int)reader.TokenStartIndex;
        bool named = false;
        int points = 0;
        ulong firstTime = 0;
        string? error = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                Next(ref reader);
                named = String(ref reader, "name", ref error).IsSet && !reader.ValueSpan.IsEmpty;
            }
            else if (reader.ValueTextEquals("gauge"u8) || reader.ValueTextEquals("sum"u8) || reader.ValueTextEquals("histogram"u8)
                || reader.ValueTextEquals("exponentialHistogram"u8) || reader.ValueTextEquals("summary"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    if (reader.TokenType != JsonTokenType.Null) error ??= "metric data must be an object";
                    reader.Skip();
                    continue;
                }
                while (Next(ref reader) == JsonTokenType.PropertyName)
                {
                    bool isPoints = reader.ValueTextEquals("dataPoints"u8);
                    Next(ref reader);
                    if (!isPoints || reader.TokenType != JsonTokenType.StartArray)
                    {
                        if (isPoints && reader.TokenType != JsonTokenType.Null) error ??= "dataPoints must be an array";
                        reader.Skip();
                        continue;
                    }
                    while (Next(ref reader) != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            error ??= "data points must be objects";
                            reader.Skip();
                            continue;
                        }
                        if (points++ > 0)
                        {
                            reader.Skip();
                            continue;
                        }
                        while (Next(ref reader) == JsonTokenType.PropertyName)
                        {
                            bool isTime = reader.ValueTextEquals("timeUnixNano"u8);
                            Next(ref reader);
                            if (isTime) firstTime = UInt64(ref reader, "dataPoints.timeUnixNano", ref error);
                            else reader.Skip();
                        }
                    }
                }
            }
            else { Next(ref reader); reader.Skip(); }
        }
        int end = (int)reader.TokenStartIndex + 1;
        if (error == null && !named) error = "name is required";
        if (error != null)
        {
            sink.Reject("metric", error, Math.Max(points, 1));
            return;
        }
        try
        {
            var w = sink.BeginRecord("metric"u8);
            var metric = doc[start..end];
            var r = Open(metric);
            CopyValue(ref r, w);
            sink.Commit(RecordKind.Metric, firstTime, firstTime, default);
        }
        catch (OtlpRecordException e)
        {
            sink.Reject("metric", e.Message, Math.Max(points, 1));
        }
    }

    /// <summary>Copies one JSON object or array token by token: the same data, without the sender's whitespace.</summary>
    private static void CopyValue(ref Utf8JsonReader r, Utf8JsonWriter w)
    {
        int depth = r.CurrentDepth;
        while (true)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.StartObject: w.WriteStartObject(); break;
                case JsonTokenType.EndObject: w.WriteEndObject(); break;
                case JsonTokenType.StartArray: w.WriteStartArray(); break;
                case JsonTokenType.EndArray: w.WriteEndArray(); break;
                case JsonTokenType.PropertyName: WritePropertyName(ref r, w); break;
                case JsonTokenType.String: WriteStringValue(ref r, w); break;
                case JsonTokenType.Number: w.WriteRawValue(r.ValueSpan, skipInputValidation: true); break;
                case JsonTokenType.True: w.WriteBooleanValue(true); break;
                case JsonTokenType.False: w.WriteBooleanValue(false); break;
                default: w.WriteNullValue(); break;
            }
            if (r.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && r.CurrentDepth == depth) return;
            Next(ref r);
        }
    }

    // ---- AnyValue and KeyValue ----

    /// <summary>A KeyValue list as one plain JSON object member (key → value); nothing when absent or empty.</summary>
    private static void WritePlainAttributes(Utf8JsonWriter w, ReadOnlySpan<byte> member, ReadOnlySpan<byte> doc, Extent list)
    {
        if (!list.IsSet) return;
        var sub = list.Of(doc);
        var r = Open(sub);
        bool started = false;
        while (Next(ref r) != JsonTokenType.EndArray)
        {
            if (!started) { w.WriteStartObject(member); started = true; }
            WritePlainKeyValue(ref r, sub, w, out _, out _);
        }
        if (started) w.WriteEndObject();
    }

    /// <summary>KeyValue <c>{"key":…,"value":AnyValue}</c> as a member <c>key: value</c>; the reader is on its StartObject.</summary>
    private static void WritePlainKeyValue(ref Utf8JsonReader r, ReadOnlySpan<byte> doc, Utf8JsonWriter w, out Extent key, out Extent value)
    {
        if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("attributes must be key/value objects");
        key = default;
        value = default;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("key"u8))
            {
                Next(ref r);
                key = CaptureString(ref r, "attribute key");
            }
            else if (r.ValueTextEquals("value"u8))
            {
                if (Next(ref r) == JsonTokenType.Null) continue;
                if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("attribute value must be an AnyValue object");
                value = Capture(ref r);
            }
            else
            {
                Next(ref r);
                r.Skip();
            }
        }
        if (key.IsSet)
        {
            var k = Open(key.Of(doc));
            WritePropertyName(ref k, w);
        }
        else w.WritePropertyName(""u8);
        if (value.IsSet)
        {
            var sub = value.Of(doc);
            var v = Open(sub);
            WritePlainAny(ref v, sub, w);
        }
        else w.WriteNullValue();
    }

    /// <summary>
    /// An AnyValue (<c>{"stringValue":…}</c>, <c>{"intValue":…}</c>, <c>{"arrayValue":{"values":[…]}}</c>, …) as plain JSON:
    /// string, bool, number, array, object (kvlist), base64 string (bytes), null (empty). The reader is on its first token.
    /// </summary>
    private static void WritePlainAny(ref Utf8JsonReader r, ReadOnlySpan<byte> doc, Utf8JsonWriter w)
    {
        if (r.TokenType == JsonTokenType.Null) { w.WriteNullValue(); return; }
        if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord("an AnyValue must be an object");
        bool written = false;
        while (Next(ref r) == JsonTokenType.PropertyName)
        {
            int kind = AnyKind(ref r);
            Next(ref r);
            if (kind == 0 || r.TokenType == JsonTokenType.Null)
            {
                r.Skip();
                continue;
            }
            if (written) OtlpRecordWriter.FailRecord("an AnyValue holds more than one value");
            written = true;
            switch (kind)
            {
                case 1 or 7: // stringValue, bytesValue (base64 text, kept as sent)
                    if (r.TokenType != JsonTokenType.String) OtlpRecordWriter.FailRecord(kind == 1 ? "stringValue must be a string" : "bytesValue must be a base64 string");
                    WriteStringValue(ref r, w);
                    break;
                case 2:
                    if (r.TokenType is not (JsonTokenType.True or JsonTokenType.False)) OtlpRecordWriter.FailRecord("boolValue must be true or false");
                    w.WriteBooleanValue(r.TokenType == JsonTokenType.True);
                    break;
                case 3:
                    if (!TryInt64(ref r, out long i)) OtlpRecordWriter.FailRecord("intValue must be a 64-bit integer");
                    w.WriteNumberValue(i);
                    break;
                case 4:
                    if (!TryDouble(ref r, out double d)) OtlpRecordWriter.FailRecord("doubleValue must be a number");
                    OtlpRecordWriter.WriteDoubleValue(w, d);
                    break;
                case 5 or 6: // arrayValue {"values":[AnyValue…]}, kvlistValue {"values":[KeyValue…]}
                    if (r.TokenType != JsonTokenType.StartObject) OtlpRecordWriter.FailRecord(kind == 5 ? "arrayValue must be an object" : "kvlistValue must be an object");
                    if (kind == 5) w.WriteStartArray();
                    else w.WriteStartObject();
                    while (Next(ref r) == JsonTokenType.PropertyName)
                    {
                        bool isValues = r.ValueTextEquals("values"u8);
                        Next(ref r);
                        if (!isValues || r.TokenType == JsonTokenType.Null) { r.Skip(); continue; }
                        if (r.TokenType != JsonTokenType.StartArray) OtlpRecordWriter.FailRecord("values must be an array");
                        while (Next(ref r) != JsonTokenType.EndArray)
                        {
                            if (kind == 5) WritePlainAny(ref r, doc, w);
                            else WritePlainKeyValue(ref r, doc, w, out _, out _);
                        }
                    }
                    if (kind == 5) w.WriteEndArray();
                    else w.WriteEndObject();
                    break;
            }
        }
        if (!written) w.WriteNullValue(); // an empty AnyValue
    }

    private static int AnyKind(ref Utf8JsonReader r)
    {
        if (r.ValueTextEquals("stringValue"u8)) return 1;
        if (r.ValueTextEquals("boolValue"u8)) return 2;
        if (r.ValueTextEquals("intValue"u8)) return 3;
        if (r.ValueTextEquals("doubleValue"u8)) return 4;
        if (r.ValueTextEquals("arrayValue"u8)) return 5;
        if (r.ValueTextEquals("kvlistValue"u8)) return 6;
        if (r.ValueTextEquals("bytesValue"u8)) return 7;
        return 0;
    }

    // ---- scalar members (first pass: a wrong type notes the item's error and skips the value) ----

    private static ulong UInt64(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (TryUInt64(ref r, out ulong value)) return value;
        r.Skip();
        error ??= $"{name} must be an unsigned 64-bit integer";
        return 0;
    }

    private static ulong UInt32(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (TryUInt64(ref r, out ulong value) && value <= uint.MaxValue) return value;
        r.Skip();
        error ??= $"{name} must be an unsigned 32-bit integer";
        return 0;
    }

    private static long Int32(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (TryInt64(ref r, out long value) && value is >= int.MinValue and <= int.MaxValue) return value;
        r.Skip();
        error ??= $"{name} must be an integer";
        return 0;
    }

    /// <summary>A string member's extent (default when null); another type notes an error.</summary>
    private static Extent String(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (r.TokenType == JsonTokenType.String) return Capture(ref r);
        if (r.TokenType != JsonTokenType.Null) error ??= $"{name} must be a string";
        r.Skip();
        return default;
    }

    private static Extent Object(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (r.TokenType == JsonTokenType.StartObject) return Capture(ref r);
        if (r.TokenType != JsonTokenType.Null) error ??= $"{name} must be an object";
        r.Skip();
        return default;
    }

    private static Extent Array(ref Utf8JsonReader r, string name, ref string? error)
    {
        if (r.TokenType == JsonTokenType.StartArray) return Capture(ref r);
        if (r.TokenType != JsonTokenType.Null) error ??= $"{name} must be an array";
        r.Skip();
        return default;
    }

    private static Extent CaptureString(ref Utf8JsonReader r, string name)
    {
        string? error = null;
        var extent = String(ref r, name, ref error);
        if (error != null) OtlpRecordWriter.FailRecord(error);
        return extent;
    }

    private static Extent CaptureArray(ref Utf8JsonReader r, string name)
    {
        string? error = null;
        var extent = Array(ref r, name, ref error);
        if (error != null) OtlpRecordWriter.FailRecord(error);
        return extent;
    }

    /// <summary>A 64-bit unsigned integer: a JSON number or a decimal string (proto3 JSON mapping); null is 0.</summary>
    private static bool TryUInt64(ref Utf8JsonReader r, out ulong value)
    {
        value = 0;
        return r.TokenType switch
        {
            JsonTokenType.Number => r.TryGetUInt64(out value),
            JsonTokenType.String => !r.ValueIsEscaped && Utf8Parser.TryParse(r.ValueSpan, out value, out int used) && used == r.ValueSpan.Length,
            JsonTokenType.Null => true,
            _ => false,
        };
    }

    private static bool TryInt64(ref Utf8JsonReader r, out long value)
    {
        value = 0;
        return r.TokenType switch
        {
            JsonTokenType.Number => r.TryGetInt64(out value),
            JsonTokenType.String => !r.ValueIsEscaped && Utf8Parser.TryParse(r.ValueSpan, out value, out int used) && used == r.ValueSpan.Length,
            JsonTokenType.Null => true,
            _ => false,
        };
    }

    /// <summary>A double: a JSON number, or "NaN", "Infinity", "-Infinity" or a numeric string (proto3 JSON mapping).</summary>
    private static bool TryDouble(ref Utf8JsonReader r, out double value)
    {
        value = 0;
        if (r.TokenType == JsonTokenType.Number) return r.TryGetDouble(out value);
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return false;
        var text = r.ValueSpan;
        if (text.SequenceEqual("NaN"u8)) value = double.NaN;
        else if (text.SequenceEqual("Infinity"u8)) value = double.PositiveInfinity;
        else if (text.SequenceEqual("-Infinity"u8)) value = double.NegativeInfinity;
        else return Utf8Parser.TryParse(text, out value, out int used) && used == text.Length && double.IsFinite(value);
        return true;
    }

    // ---- ids and strings ----

    /// <summary>Decodes a hex id into <paramref name="dest"/>; returns its length (0 when absent or ""). Wrong length or non-hex rejects the item.</summary>
    private static int DecodeId(ReadOnlySpan<byte> doc, Extent extent, Span<byte> dest, string name)
    {
        if (!extent.IsSet) return 0;
        var r = Open(extent.Of(doc));
        var raw = r.ValueSpan;
        if (raw.IsEmpty) return 0;
        if (r.ValueIsEscaped)
        {
            if (raw.Length > 6 * 2 * dest.Length) OtlpRecordWriter.FailId(name, dest.Length);
            Span<byte> text = stackalloc byte[6 * 2 * 16];
            int n = r.CopyString(text);
            if (!OtlpRecordWriter.TryDecodeHex(text[..n], dest)) OtlpRecordWriter.FailId(name, dest.Length);
        }
        else if (!OtlpRecordWriter.TryDecodeHex(raw, dest)) OtlpRecordWriter.FailId(name, dest.Length);
        return dest.Length;
    }

    private static bool IsEmptyString(Extent extent) => !extent.IsSet || extent.Length == 2;

    /// <summary>Writes a string member from its extent; nothing when absent or empty.</summary>
    private static void WriteString(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> doc, Extent extent)
    {
        if (IsEmptyString(extent)) return;
        var r = Open(extent.Of(doc));
        w.WritePropertyName(name);
        WriteStringValue(ref r, w);
    }

    private static void WriteStringValue(ref Utf8JsonReader r, Utf8JsonWriter w)
    {
        if (!r.ValueIsEscaped)
        {
            w.WriteStringValue(r.ValueSpan);
            return;
        }
        var text = Unescape(ref r, out byte[]? rented);
        w.WriteStringValue(text);
        if (rented != null) ArrayPool<byte>.Shared.Return(rented);
    }

    private static void WritePropertyName(ref Utf8JsonReader r, Utf8JsonWriter w)
    {
        if (!r.ValueIsEscaped)
        {
            w.WritePropertyName(r.ValueSpan);
            return;
        }
        var text = Unescape(ref r, out byte[]? rented);
        w.WritePropertyName(text);
        if (rented != null) ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>The current string or property name, unescaped; escaped values go to a pooled array the caller returns.</summary>
    private static ReadOnlySpan<byte> Unescape(ref Utf8JsonReader r, out byte[]? rented)
    {
        rented = null;
        if (!r.ValueIsEscaped) return r.ValueSpan;
        // Unescaping never lengthens a JSON string.
        rented = ArrayPool<byte>.Shared.Rent(r.ValueSpan.Length);
        int n = r.CopyString(rented);
        return rented.AsSpan(0, n);
    }

    // ---- extents ----

    /// <summary>Where one complete JSON value lies in the document its reader runs over.</summary>
    private readonly struct Extent(int start, int length)
    {
        public readonly int Start = start;
        public readonly int Length = length;
        public bool IsSet => Length > 0;
        public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> doc) => doc.Slice(Start, Length);
    }

    /// <summary>Notes the extent of the value at the reader and moves past it (validating its syntax).</summary>
    private static Extent Capture(ref Utf8JsonReader r)
    {
        int start = (int)r.TokenStartIndex;
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                r.Skip();
                return new Extent(start, (int)r.TokenStartIndex + 1 - start);
            case JsonTokenType.String:
                return new Extent(start, r.ValueSpan.Length + 2); // the raw text between quotes, escapes included
            default:
                return new Extent(start, r.ValueSpan.Length);
        }
    }

    /// <summary>A reader over a value noted by <see cref="Capture"/>, on its first token. The bytes were validated when noted.</summary>
    private static Utf8JsonReader Open(ReadOnlySpan<byte> value)
    {
        var r = new Utf8JsonReader(value, Options);
        r.Read();
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        // With the whole body as the final block, Read only returns false after a complete root value.
        if (!reader.Read()) FailBody("unexpected end of the body");
        return reader.TokenType;
    }

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailBody(string detail) => throw new RequestRejectedException(RejectReason.InvalidJson, detail);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidUtf8(ReadOnlySpan<byte> body) => JsonErrors.ThrowInvalidUtf8(body);

    private static RequestRejectedException InvalidJson(JsonException e, long bytesConsumed)
        => new(RejectReason.InvalidJson, $"invalid JSON near byte {bytesConsumed}: {JsonErrors.ReaderMessage(e)}");
}
