using System.Text.Json;
using Ingestd.Parsing.Dialects.Protobuf;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Otlp.OtlpProtobufValues;
using W = Ingestd.Parsing.Dialects.Protobuf.ProtoWireType;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>OTLP protobuf spans (<c>ScopeSpans.spans</c>) with their events and links: one <see cref="RecordKind.Trace"/> record each.</summary>
internal static class OtlpProtobufTraces
{
    // Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
    //   string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
    //   repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
    //   uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15; }
    internal static void ParseSpan(ProtoReader span, OtlpRecordWriter sink)
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
    internal static void WriteEvents(ProtoReader span, Utf8JsonWriter w)
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
    internal static void WriteLinks(ProtoReader span, Utf8JsonWriter w)
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
}
