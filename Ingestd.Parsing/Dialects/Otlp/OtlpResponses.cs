using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Protobuf;

namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// Success bodies for OTLP/HTTP: <c>Export{Logs,Trace,Metrics}ServiceResponse</c> in the request's encoding
/// (OTLP specification, "OTLP/HTTP Response"). Full success is an empty message (<c>{}</c> / zero bytes);
/// otherwise <c>partial_success</c> carries the rejected count and the first error message.
/// </summary>
internal static class OtlpResponses
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><c>{}</c> or <c>{"partialSuccess":{"rejectedLogRecords":"N","errorMessage":"…"}}</c>; the count is an int64, so a string.</summary>
    public static void WriteJson(IBufferWriter<byte> output, OtlpSignal signal, OtlpResult result)
    {
        using var w = new Utf8JsonWriter(output, Options);
        w.WriteStartObject();
        if (IsPartial(result))
        {
            w.WriteStartObject("partialSuccess"u8);
            // proto3 JSON omits default values: a zero count or an empty message is left out.
            if (result.Rejected != 0) OtlpRecordWriter.WriteInt64String(w, RejectedName(signal), result.Rejected);
            if (!string.IsNullOrEmpty(result.ErrorMessage)) w.WriteString("errorMessage"u8, result.ErrorMessage);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    // Export*ServiceResponse { Export*PartialSuccess partial_success = 1; }
    // Export*PartialSuccess { int64 rejected_<items> = 1; string error_message = 2; }
    /// <summary>The response message in binary protobuf: empty on full success.</summary>
    public static void WriteProtobuf(IBufferWriter<byte> output, OtlpSignal signal, OtlpResult result)
    {
        if (!IsPartial(result)) return;
        int messageLength = string.IsNullOrEmpty(result.ErrorMessage) ? 0 : System.Text.Encoding.UTF8.GetByteCount(result.ErrorMessage);
        int inner = 0;
        if (result.Rejected != 0) inner += 1 + ProtoWriter.VarintSize((ulong)(long)result.Rejected);
        if (messageLength != 0) inner += 1 + ProtoWriter.VarintSize((ulong)messageLength) + messageLength;
        int total = 1 + ProtoWriter.VarintSize((ulong)inner) + inner;

        var span = output.GetSpan(total);
        int at = 0;
        span[at++] = 1 << 3 | 2; // partial_success, length-delimited
        at += ProtoWriter.WriteVarint(span[at..], (ulong)inner);
        if (result.Rejected != 0)
        {
            span[at++] = 1 << 3 | 0; // rejected_*, varint
            at += ProtoWriter.WriteVarint(span[at..], (ulong)(long)result.Rejected);
        }
        if (messageLength != 0)
        {
            span[at++] = 2 << 3 | 2; // error_message, length-delimited
            at += ProtoWriter.WriteVarint(span[at..], (ulong)messageLength);
            at += System.Text.Encoding.UTF8.GetBytes(result.ErrorMessage, span[at..]);
        }
        output.Advance(at);
    }

    private static bool IsPartial(OtlpResult result) => result.Rejected != 0 || !string.IsNullOrEmpty(result.ErrorMessage);

    private static ReadOnlySpan<byte> RejectedName(OtlpSignal signal) => signal switch
    {
        OtlpSignal.Logs => "rejectedLogRecords"u8,
        OtlpSignal.Traces => "rejectedSpans"u8,
        _ => "rejectedDataPoints"u8,
    };
}
