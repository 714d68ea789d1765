using System.Buffers.Binary;
using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

public class BlockCodecTests
{
    private static byte[] EncodeBlock(int count = 10, long firstSeq = 100)
    {
        using var batch = Fixtures.Batch(count);
        using var codec = new BlockCodec();
        return codec.Encode(batch.Bytes, batch.Count, firstSeq, batch.MinEventNs, batch.MaxEventNs).ToArray();
    }

    [Fact]
    public void Encoded_block_decodes_to_the_same_records_and_header_fields()
    {
        using var batch = Fixtures.Batch(10);
        using var codec = new BlockCodec();
        var block = codec.Encode(batch.Bytes, batch.Count, 100, batch.MinEventNs, batch.MaxEventNs).ToArray();

        Assert.Equal(BlockStatus.Ok, codec.Decode(block, out var header, out var records));
        Assert.True(records.SequenceEqual(batch.Bytes));
        Assert.Equal(10, header.Count);
        Assert.Equal(100, header.FirstSequence);
        Assert.Equal(batch.MinEventNs, header.MinEventNs);
        Assert.Equal(batch.MaxEventNs, header.MaxEventNs);
        Assert.Equal(BlockCodec.CompressionZstd, header.Compression);
        Assert.Equal(block.Length, header.TotalLength);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-5)]
    public void A_fast_level_block_is_zstd_and_decodes_to_the_same_records(int level)
    {
        using var batch = Fixtures.Batch(200);
        using var codec = new BlockCodec(level);
        var block = codec.Encode(batch.Bytes, batch.Count, 0, batch.MinEventNs, batch.MaxEventNs).ToArray();

        using var reader = new BlockCodec();
        Assert.Equal(BlockStatus.Ok, reader.Decode(block, out var header, out var records));
        Assert.Equal(BlockCodec.CompressionZstd, header.Compression);
        Assert.True(records.SequenceEqual(batch.Bytes));
    }

    [Fact]
    public void Block_starts_with_BLK1_magic()
        => Assert.Equal("BLK1"u8.ToArray(), EncodeBlock()[..4]);

    [Fact]
    public void Incompressible_records_are_stored_uncompressed()
    {
        using var batch = new Ingestd.Parsing.Records.RecordBatch();
        var noise = new byte[4096];
        new Random(1).NextBytes(noise);
        batch.Append(1, 2, default, default, [], [], [], [], noise);
        using var codec = new BlockCodec();
        var block = codec.Encode(batch.Bytes, 1, 0, 2, 2).ToArray();

        Assert.Equal(BlockStatus.Ok, codec.Decode(block, out var header, out var records));
        Assert.Equal(BlockCodec.CompressionNone, header.Compression);
        Assert.True(records.SequenceEqual(batch.Bytes));
    }

    [Fact]
    public void Flipped_payload_byte_is_a_payload_crc_mismatch()
    {
        var block = EncodeBlock();
        block[BlockCodec.HeaderSize + 3] ^= 1;
        using var codec = new BlockCodec();
        Assert.Equal(BlockStatus.BadPayloadCrc, codec.Decode(block, out _, out _));
    }

    [Fact]
    public void Flipped_header_byte_is_a_header_crc_mismatch()
    {
        var block = EncodeBlock();
        block[13] ^= 1;
        using var codec = new BlockCodec();
        Assert.Equal(BlockStatus.BadHeaderCrc, codec.Decode(block, out _, out _));
    }

    [Fact]
    public void Wrong_magic_is_reported_as_bad_magic()
    {
        var block = EncodeBlock();
        block[0] = (byte)'X';
        using var codec = new BlockCodec();
        Assert.Equal(BlockStatus.BadMagic, codec.Decode(block, out _, out _));
    }

    [Fact]
    public void Short_header_is_truncated_header()
    {
        using var codec = new BlockCodec();
        Assert.Equal(BlockStatus.TruncatedHeader, codec.Decode(EncodeBlock()[..(BlockCodec.HeaderSize - 1)], out _, out _));
    }

    [Fact]
    public void Short_payload_is_truncated_payload()
    {
        var block = EncodeBlock();
        using var codec = new BlockCodec();
        Assert.Equal(BlockStatus.TruncatedPayload, codec.Decode(block[..^1], out _, out _));
    }

    [Fact]
    public void Record_count_disagreeing_with_the_records_is_a_bad_payload()
    {
        var block = EncodeBlock(count: 10);
        // Re-sign the header with a wrong count: the checksums hold, the framing does not.
        var header = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(12));
        Assert.Equal(BlockStatus.Ok, BlockCodec.ReadHeader(block, out var h));
        BlockCodec.WriteHeader(block, h with { Count = 9 });
        using var codec = new BlockCodec();
        Assert.Equal(10u, header);
        Assert.Equal(BlockStatus.BadPayload, codec.Decode(block, out _, out _));
    }

    [Fact]
    public void Payload_that_is_not_a_zstd_frame_is_a_bad_payload()
    {
        var block = EncodeBlock();
        Assert.Equal(BlockStatus.Ok, BlockCodec.ReadHeader(block, out var h));
        var payload = block.AsSpan(BlockCodec.HeaderSize);
        payload.Fill(0x42);
        BlockCodec.WriteHeader(block, h with { PayloadCrc = Crc32C.Compute(payload) });
        using var codec = new BlockCodec();
        Assert.Equal(BlockStatus.BadPayload, codec.Decode(block, out _, out _));
    }
}
