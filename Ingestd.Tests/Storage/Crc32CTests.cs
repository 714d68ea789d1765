using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

public class Crc32CTests
{
    [Fact]
    public void Crc32C_of_123456789_is_the_standard_check_value()
        => Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void Crc32C_of_nothing_is_zero()
        => Assert.Equal(0u, Crc32C.Compute([]));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    public void Crc32C_updated_in_pieces_equals_crc_of_the_whole(int split)
    {
        var data = "The quick brown fox jumps over the lazy dog"u8.ToArray();
        uint crc = Crc32C.Update(0xFFFFFFFFu, data.AsSpan(0, split));
        crc = ~Crc32C.Update(crc, data.AsSpan(split));
        Assert.Equal(Crc32C.Compute(data), crc);
    }

    [Fact]
    public void Crc32C_of_32_zero_bytes_matches_rfc3720_vector()
        => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32])); // RFC 3720 §B.4
}
