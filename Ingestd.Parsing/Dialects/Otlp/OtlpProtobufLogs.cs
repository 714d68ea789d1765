using Ingestd.Parsing.Dialects.Protobuf;
using Ingestd.Parsing.Records;
using static Ingestd.Parsing.Dialects.Otlp.OtlpProtobufValues;
using W = Ingestd.Parsing.Dialects.Protobuf.ProtoWireType;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>OTLP protobuf log records (<c>ScopeLogs.log_records</c>): one <see cref="RecordKind.Log"/> record each.</summary>
internal static class OtlpProtobufLogs
{
    // LogRecord { fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; SeverityNumber severity_number = 2;
    //   string severity_text = 3; AnyValue body = 5; repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7;
    //   fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10; string event_name = 12; }
    internal static void ParseLogRecord(ProtoReader record, OtlpRecordWriter sink)
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
}
