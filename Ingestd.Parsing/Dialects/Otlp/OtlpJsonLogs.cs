using System.Buffers;
using System.Text.Json;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Otlp.OtlpJsonValues;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>OTLP JSON log records (<c>logRecords</c> items): one <see cref="RecordKind.Log"/> record each.</summary>
internal static class OtlpJsonLogs
{
    // LogRecord: timeUnixNano, observedTimeUnixNano, severityNumber, severityText, body, attributes,
    // droppedAttributesCount, flags, traceId, spanId, eventName.
    internal static void ParseLogRecord(ref Utf8JsonReader reader, ReadOnlySpan<byte> doc, OtlpRecordWriter sink)
    {
        ulong time = 0, observed = 0, flags = 0;
        long severity = 0;
        Extent severityText = default, eventName = default, body = default, attributes = default, traceId = default, spanId = default;
        string? error = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("timeUnixNano"u8)) { Next(ref reader); time = UInt64Member(ref reader, "timeUnixNano", ref error); }
            else if (reader.ValueTextEquals("observedTimeUnixNano"u8)) { Next(ref reader); observed = UInt64Member(ref reader, "observedTimeUnixNano", ref error); }
            else if (reader.ValueTextEquals("severityNumber"u8)) { Next(ref reader); severity = Int32Member(ref reader, "severityNumber", ref error); }
            else if (reader.ValueTextEquals("severityText"u8)) { Next(ref reader); severityText = StringMember(ref reader, "severityText", ref error); }
            else if (reader.ValueTextEquals("body"u8)) { Next(ref reader); body = ObjectMember(ref reader, "body", ref error); }
            else if (reader.ValueTextEquals("attributes"u8)) { Next(ref reader); attributes = ArrayMember(ref reader, "attributes", ref error); }
            else if (reader.ValueTextEquals("flags"u8)) { Next(ref reader); flags = UInt32Member(ref reader, "flags", ref error); }
            else if (reader.ValueTextEquals("traceId"u8)) { Next(ref reader); traceId = StringMember(ref reader, "traceId", ref error); }
            else if (reader.ValueTextEquals("spanId"u8)) { Next(ref reader); spanId = StringMember(ref reader, "spanId", ref error); }
            else if (reader.ValueTextEquals("eventName"u8)) { Next(ref reader); eventName = StringMember(ref reader, "eventName", ref error); }
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
}
