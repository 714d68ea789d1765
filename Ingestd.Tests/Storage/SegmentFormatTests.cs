using System.Buffers.Binary;
using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

public class SegmentFormatTests
{
    private static byte[] Header(long createdNs = 1234, long firstSequence = 42)
    {
        var header = new byte[SegmentFormat.FileHeaderSize];
        SegmentFormat.WriteFileHeader(header, createdNs, firstSequence);
        return header;
    }

    /// <summary>A header as version 1 wrote it: version 1, bytes 12..15 zero.</summary>
    private static byte[] Version1Header(long createdNs = 1234, long firstSequence = 42)
    {
        var header = Header(createdNs, firstSequence);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), 0);
        return header;
    }

    [Fact]
    public void File_header_is_written_as_version_2_with_a_crc_of_its_bytes_taken_with_the_crc_field_as_zero()
    {
        var header = Header();
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(8)));

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), 0);
        Assert.Equal(Crc32C.Compute(header), stored);
    }

    [Fact]
    public void Version_2_file_header_parses_back()
    {
        Assert.True(SegmentFormat.TryParseFileHeader(Header(1234, 42), out long createdNs, out long first, out string? error));
        Assert.Equal((1234L, 42L, (string?)null), (createdNs, first, error));
    }

    [Theory]
    [InlineData(12)] // the CRC itself
    [InlineData(16)] // creation time
    [InlineData(24)] // first sequence
    public void Version_2_file_header_with_a_flipped_byte_fails_its_crc(int offset)
    {
        var header = Header();
        header[offset] ^= 0x01;
        Assert.False(SegmentFormat.TryParseFileHeader(header, out _, out _, out string? error));
        Assert.Equal("file header CRC mismatch", error);
    }

    [Fact]
    public void Version_1_file_header_without_a_crc_is_still_read()
    {
        Assert.True(SegmentFormat.TryParseFileHeader(Version1Header(1234, 42), out long createdNs, out long first, out _));
        Assert.Equal((1234L, 42L), (createdNs, first));
    }

    [Fact]
    public void Version_1_file_header_with_nonzero_reserved_bytes_is_rejected()
    {
        var header = Version1Header();
        header[13] = 7;
        Assert.False(SegmentFormat.TryParseFileHeader(header, out _, out _, out string? error));
        Assert.Equal("reserved bytes of a version 1 file header are not zero", error);
    }

    [Fact]
    public void Unknown_file_header_version_is_rejected()
    {
        var header = Header();
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), 3);
        Assert.False(SegmentFormat.TryParseFileHeader(header, out _, out _, out string? error));
        Assert.Equal("unsupported version 3", error);
    }
}
