using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Dialects.Protobuf;
using Ingestd.Parsing.Errors;

namespace Ingestd.Tests.Dialects;

public class OtlpProtoReaderTests
{
    private static RequestRejectedException Refused(byte[] bytes, Action<byte[]> read)
    {
        var e = Assert.Throws<RequestRejectedException>(() => read(bytes));
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
        return e;
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL)]
    [InlineData(new byte[] { 0x7F }, 127UL)]
    [InlineData(new byte[] { 0xAC, 0x02 }, 300UL)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, ulong.MaxValue)]
    public void Varint_decodes(byte[] bytes, ulong expected)
    {
        var reader = new ProtoReader(bytes);
        Assert.Equal(expected, reader.ReadVarint());
        Assert.False(reader.HasMore);
    }

    [Fact]
    public void Varint_beyond_64_bits_is_refused()
        => Refused([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], b => new ProtoReader(b).ReadVarint());

    [Fact]
    public void Varint_of_11_bytes_is_refused()
        => Refused([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], b => new ProtoReader(b).ReadVarint());

    [Fact]
    public void Truncated_varint_is_refused() => Refused([0x80], b => new ProtoReader(b).ReadVarint());

    [Fact]
    public void Fixed_width_values_are_little_endian()
    {
        var reader = new ProtoReader([1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0x80]);
        Assert.Equal(1u, reader.ReadFixed32());
        Assert.Equal(0x8000000000000002UL, reader.ReadFixed64());
    }

    [Fact]
    public void Truncated_fixed64_is_refused() => Refused([1, 2, 3, 4, 5, 6, 7], b => new ProtoReader(b).ReadFixed64());

    [Fact]
    public void Length_past_the_end_is_refused() => Refused([0x03, 0x41, 0x42], b => new ProtoReader(b).ReadBytes());

    [Fact]
    public void Length_beyond_int_range_is_refused()
        => Refused([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x41], b => new ProtoReader(b).ReadBytes());

    [Fact]
    public void Zigzag_decodes_signed_values()
    {
        Assert.Equal(0, ProtoReader.ZigZag(0));
        Assert.Equal(-1, ProtoReader.ZigZag(1));
        Assert.Equal(1, ProtoReader.ZigZag(2));
        Assert.Equal(-2, ProtoReader.ZigZag(3));
        Assert.Equal(long.MinValue, ProtoReader.ZigZag(ulong.MaxValue));
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped()
    {
        // field 1 varint, field 2 fixed64, field 3 LEN "ab", field 4 fixed32, field 5 varint 9
        byte[] bytes = [0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x1A, 0x02, 0x61, 0x62, 0x25, 1, 2, 3, 4, 0x28, 0x09];
        var reader = new ProtoReader(bytes);
        int last = 0;
        ulong value = 0;
        while (reader.Next(out int field, out var wire))
        {
            if (field == 5) value = reader.ReadVarint();
            else reader.Skip(wire);
            last = field;
        }
        Assert.Equal((5, 9UL), (last, value));
    }

    [Theory]
    [InlineData(new byte[] { 0x0B })] // wire type 3 (start group)
    [InlineData(new byte[] { 0x0C })] // wire type 4 (end group)
    [InlineData(new byte[] { 0x0E })] // wire type 6
    [InlineData(new byte[] { 0x02 })] // field number 0
    public void Invalid_tags_are_refused(byte[] bytes) => Refused(bytes, b => new ProtoReader(b).Next(out _, out _));

    [Fact]
    public void Error_names_the_byte_offset_in_the_body()
    {
        byte[] bytes = [0x0A, 0x03, 0x12, 0x05, 0x41];
        var e = Refused(bytes, b =>
        {
            var outer = new ProtoReader(b);
            outer.Next(out _, out _);
            var inner = outer.ReadMessage();
            inner.Next(out _, out _);
            inner.ReadBytes();
        });
        Assert.Equal("invalid protobuf at byte 3: length-delimited field runs past the end of its message", e.Detail);
    }
}
