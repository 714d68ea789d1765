using System.Text.Json;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Otlp.OtlpJsonValues;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>OTLP JSON spans (<c>spans</c> items) with their events and links: one <see cref="RecordKind.Trace"/> record each.</summary>
internal static class OtlpJsonTraces
{
    // Span: traceId, spanId, traceState, parentSpanId, flags, name, kind, startTimeUnixNano, endTimeUnixNano,
    // attributes, droppedAttributesCount, events, droppedEventsCount, links, droppedLinksCount, status.
    internal static void ParseSpan(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpRecordWriter sink)
    {
        ulong start = 0, end = 0, flags = 0;
        long kind = 0, statusCode = 0;
        Extent traceId = default, spanId = default, parentSpanId = default, traceState = default, name = default;
        Extent attributes = default, events = default, links = default, statusMessage = default;
        string? error = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("traceId"u8)) { Next(ref reader); traceId = StringMember(ref reader, "traceId", ref error); }
            else if (reader.ValueTextEquals("spanId"u8)) { Next(ref reader); spanId = StringMember(ref reader, "spanId", ref error); }
            else if (reader.ValueTextEquals("parentSpanId"u8)) { Next(ref reader); parentSpanId = StringMember(ref reader, "parentSpanId", ref error); }
            else if (reader.ValueTextEquals("traceState"u8)) { Next(ref reader); traceState = StringMember(ref reader, "traceState", ref error); }
            else if (reader.ValueTextEquals("flags"u8)) { Next(ref reader); flags = UInt32Member(ref reader, "flags", ref error); }
            else if (reader.ValueTextEquals("name"u8)) { Next(ref reader); name = StringMember(ref reader, "name", ref error); }
            else if (reader.ValueTextEquals("kind"u8)) { Next(ref reader); kind = Int32Member(ref reader, "kind", ref error); }
            else if (reader.ValueTextEquals("startTimeUnixNano"u8)) { Next(ref reader); start = UInt64Member(ref reader, "startTimeUnixNano", ref error); }
            else if (reader.ValueTextEquals("endTimeUnixNano"u8)) { Next(ref reader); end = UInt64Member(ref reader, "endTimeUnixNano", ref error); }
            else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = ArrayMember(ref reader, "attributes", ref error); }
            else if (reader.ValueTextEquals("events"u8)) { Next(ref reader); events = ArrayMember(ref reader, "events", ref error); }
            else if (reader.ValueTextEquals("links"u8)) { Next(ref reader); links = ArrayMember(ref reader, "links", ref error); }
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
                    if (reader.ValueTextEquals("code"u8)) { Next(ref reader); statusCode = Int32Member(ref reader, "status.code", ref error); }
                    else if (reader.ValueTextEquals("message"u8)) { Next(ref reader); statusMessage = StringMember(ref reader, "status.message", ref error); }
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
    internal static void WriteEvents(Utf8JsonWriter w, ReadOnlySpan<byte> list)
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
                if (reader.ValueTextEquals("timeUnixNano"u8)) { Next(ref reader); time = UInt64Member(ref reader, "events.timeUnixNano", ref error); }
                else if (reader.ValueTextEquals("name"u8)) { Next(ref reader); name = StringMember(ref reader, "events.name", ref error); }
                else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = ArrayMember(ref reader, "events.attributes", ref error); }
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
    internal static void WriteLinks(Utf8JsonWriter w, ReadOnlySpan<byte> list)
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
                if (reader.ValueTextEquals("traceId"u8)) { Next(ref reader); traceId = StringMember(ref reader, "links.traceId", ref error); }
                else if (reader.ValueTextEquals("spanId"u8)) { Next(ref reader); spanId = StringMember(ref reader, "links.spanId", ref error); }
                else if (reader.ValueTextEquals("traceState"u8)) { Next(ref reader); traceState = StringMember(ref reader, "links.traceState", ref error); }
                else if (reader.ValueTextEquals("flags"u8)) { Next(ref reader); flags = UInt32Member(ref reader, "links.flags", ref error); }
                else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = ArrayMember(ref reader, "links.attributes", ref error); }
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
}
