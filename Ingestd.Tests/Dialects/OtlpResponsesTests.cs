using System.Buffers;
using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Dialects.Protobuf;

namespace Ingestd.Tests.Dialects;

public class OtlpResponsesTests
{
    private static string Json(OtlpSignal signal, OtlpResult result)
    {
        var buffer = new ArrayBufferWriter<byte>();
        OtlpResponses.WriteJson(buffer, signal, result);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static byte[] Protobuf(OtlpSignal signal, OtlpResult result)
    {
        var buffer = new ArrayBufferWriter<byte>();
        OtlpResponses.WriteProtobuf(buffer, signal, result);
        return buffer.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(0)] // logs; OtlpSignal is internal, so test data carries its value
    [InlineData(1)] // traces
    [InlineData(2)] // metrics
    public void Full_success_is_an_empty_message(int signalValue)
    {
        var signal = (OtlpSignal)signalValue;
        Assert.Equal("{}", Json(signal, new OtlpResult(3, 0, null)));
        Assert.Empty(Protobuf(signal, new OtlpResult(3, 0, null)));
    }

    [Theory]
    [InlineData(0, "rejectedLogRecords")]
    [InlineData(1, "rejectedSpans")]
    [InlineData(2, "rejectedDataPoints")]
    public void Partial_success_json_names_the_signal_and_writes_the_count_as_a_string(int signalValue, string member)
    {
        var signal = (OtlpSignal)signalValue;
        Assert.Equal($$$"""{"partialSuccess":{"{{{member}}}":"2","errorMessage":"span #1: traceId must be 16 bytes"}}""",
            Json(signal, new OtlpResult(1, 2, "span #1: traceId must be 16 bytes")));
    }

    [Fact]
    public void Warning_without_rejections_omits_the_zero_count()
    {
        Assert.Equal("""{"partialSuccess":{"errorMessage":"slow down"}}""", Json(OtlpSignal.Logs, new OtlpResult(1, 0, "slow down")));
        Assert.Equal([0x0A, 0x0B, 0x12, 0x09, .. "slow down"u8], Protobuf(OtlpSignal.Logs, new OtlpResult(1, 0, "slow down")));
    }

    [Fact]
    public void Partial_success_protobuf_is_field_1_holding_count_and_message()
    {
        // partial_success (1, LEN 5) { rejected_* (1, varint 2), error_message (2, LEN 1) "x" }
        Assert.Equal([0x0A, 0x05, 0x08, 0x02, 0x12, 0x01, (byte)'x'], Protobuf(OtlpSignal.Traces, new OtlpResult(0, 2, "x")));
    }

    [Fact]
    public void Partial_success_protobuf_uses_multi_byte_varints_for_large_counts()
    {
        Assert.Equal([0x0A, 0x03, 0x08, 0xAC, 0x02], Protobuf(OtlpSignal.Metrics, new OtlpResult(0, 300, null)));
    }

    [Fact]
    public void Protobuf_response_reads_back_with_the_wire_reader()
    {
        var bytes = Protobuf(OtlpSignal.Logs, new OtlpResult(5, 7, "log record #3: spanId must be 8 bytes (16 hex digits) — café"));
        var reader = new ProtoReader(bytes);
        Assert.True(reader.Next(out int field, out var wire));
        Assert.Equal((1, ProtoWireType.Len), (field, wire));
        var partial = reader.ReadMessage();
        Assert.True(partial.Next(out field, out wire));
        Assert.Equal((1, ProtoWireType.Varint, 7UL), (field, wire, partial.ReadVarint()));
        Assert.True(partial.Next(out field, out wire));
        Assert.Equal((2, ProtoWireType.Len), (field, wire));
        Assert.Equal("log record #3: spanId must be 8 bytes (16 hex digits) — café", System.Text.Encoding.UTF8.GetString(partial.ReadBytes()));
        Assert.False(partial.Next(out _, out _));
        Assert.False(reader.Next(out _, out _));
    }
}
