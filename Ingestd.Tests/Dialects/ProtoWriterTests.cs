using System.Buffers;
using Ingestd.Parsing.Dialects.Loki;
using Ingestd.Parsing.Dialects.Protobuf;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.Dialects;

public class ProtoWriterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_384)]
    [InlineData(3_000_000)]
    public void An_embedded_message_of_any_length_reads_back_with_a_canonical_length(int size)
    {
        using var writer = new ProtoWriter(16);
        var payload = new byte[size];
        Random.Shared.NextBytes(payload);
        int outer = writer.Begin(1);
        int inner = writer.Begin(2);
        writer.Bytes(3, payload);
        writer.End(inner);
        writer.Varint(4, 150);
        writer.End(outer);

        var reader = new ProtoReader(writer.WrittenSpan);
        Assert.True(reader.Next(out int field, out _));
        Assert.Equal(1, field);
        var message = reader.ReadMessage();
        Assert.False(reader.HasMore);
        Assert.True(message.Next(out field, out _));
        var nested = message.ReadMessage();
        Assert.True(nested.Next(out field, out _));
        Assert.Equal(payload, nested.ReadBytes().ToArray());
        Assert.True(message.Next(out field, out _));
        Assert.Equal((4, 150UL), (field, message.ReadVarint()));
        // Canonical: each length takes exactly the bytes its value needs (tag, length, body).
        int innerLength = 1 + ProtoWriter.VarintSize((ulong)size) + size;
        int outerLength = 1 + ProtoWriter.VarintSize((ulong)innerLength) + innerLength + 3;
        Assert.Equal(1 + ProtoWriter.VarintSize((ulong)outerLength) + outerLength, writer.Length);
    }

    [Fact]
    public void A_loki_push_written_here_is_read_back_by_the_daemons_own_parser()
    {
        using var push = new LokiPushWriter();
        var labels = new System.Buffers.ArrayBufferWriter<byte>();
        labels.Write("{"u8);
        LokiPushWriter.AppendLabel(labels, "service_name"u8, "api \"v2\"\n\\"u8, first: true);
        LokiPushWriter.AppendLabel(labels, "level"u8, "error"u8, first: false);
        labels.Write("}"u8);
        push.BeginStream(labels.WrittenSpan);
        push.Entry(1_717_169_430_123_456_789, "{\"msg\":\"hi\"}"u8, "ingestd_id"u8, "node-a-7"u8);
        push.Entry(5, "plain"u8, default, default);
        push.EndStream();

        using var batch = new RecordBatch();
        using var scratch = new PooledBuffer();
        LokiPushParser.ParseProtobuf(push.Compress().Span, 42, "t"u8, batch, scratch, 1 << 20);
        Assert.Equal(2, batch.Count);
        var bytes = batch.Bytes;
        Assert.True(RecordView.TryRead(bytes, out var first, out int length));
        Assert.Equal(1_717_169_430_123_456_789, first.EventNs);
        Assert.Equal("api \"v2\"\n\\", System.Text.Encoding.UTF8.GetString(first.Service));
        Assert.Equal("""{"stream":{"service_name":"api \"v2\"\n\\","level":"error"},"line":"{\"msg\":\"hi\"}","metadata":{"ingestd_id":"node-a-7"}}""",
            System.Text.Encoding.UTF8.GetString(first.Json));
        Assert.True(RecordView.TryRead(bytes[length..], out var second, out _));
        Assert.Equal(5, second.EventNs);
    }
}
