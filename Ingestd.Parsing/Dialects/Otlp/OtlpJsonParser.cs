using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Otlp.OtlpJsonValues;

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
/// nested values again from their extents. This type reads the envelope (resource, scope); the items are read by
/// <see cref="OtlpJsonLogs"/>, <see cref="OtlpJsonTraces"/> and <see cref="OtlpJsonMetrics"/>, values by <see cref="OtlpJsonValues"/>. Content errors inside an item reject that item alone; a syntax error
/// or a broken envelope refuses the request (<see cref="RejectReason.InvalidJson"/>).
/// </para>
/// </summary>
internal static class OtlpJsonParser
{
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
                case OtlpSignal.Logs: OtlpJsonLogs.ParseLogRecord(ref reader, doc, sink); break;
                case OtlpSignal.Traces: OtlpJsonTraces.ParseSpan(ref reader, doc, sink); break;
                default: OtlpJsonMetrics.ParseMetric(ref reader, doc, sink); break;
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

    // ---- cold path ----

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidUtf8(ReadOnlySpan<byte> body) => JsonErrors.ThrowInvalidUtf8(body);

    private static RequestRejectedException InvalidJson(JsonException e, long bytesConsumed)
        => new(RejectReason.InvalidJson, $"invalid JSON near byte {bytesConsumed}: {JsonErrors.ReaderMessage(e)}");
}