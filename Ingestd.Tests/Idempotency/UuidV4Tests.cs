using System.Text;
using Ingestd.Idempotency;

namespace Ingestd.Tests.Idempotency;

public class UuidV4Tests
{
    [Theory]
    [InlineData("550e8400-e29b-41d4-a716-446655440000")]
    [InlineData("f47ac10b-58cc-4372-a567-0e02b2c3d479")]
    [InlineData("F47AC10B-58CC-4372-A567-0E02B2C3D479")] // uppercase hex
    [InlineData("f47ac10b-58cc-4372-8567-0e02b2c3d479")] // variant digit 8
    [InlineData("f47ac10b-58cc-4372-9567-0e02b2c3d479")] // 9
    [InlineData("f47ac10b-58cc-4372-B567-0e02b2c3d479")] // B
    public void Accepts_canonical_version_4(string text)
    {
        Assert.True(UuidV4.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(Guid.Parse(text), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("6ba7b810-9dad-11d1-80b4-00c04fd430c8")]   // version 1
    [InlineData("f47ac10b-58cc-7372-a567-0e02b2c3d479")]   // version 7
    [InlineData("f47ac10b-58cc-4372-c567-0e02b2c3d479")]   // variant 110x (Microsoft)
    [InlineData("f47ac10b-58cc-4372-7567-0e02b2c3d479")]   // variant 0xxx (NCS)
    [InlineData("00000000-0000-0000-0000-000000000000")]   // nil
    [InlineData("{f47ac10b-58cc-4372-a567-0e02b2c3d479}")] // braces
    [InlineData("f47ac10b58cc4372a5670e02b2c3d479")]       // no dashes
    [InlineData("urn:uuid:f47ac10b-58cc-4372-a567-0e02b2c3d479")]
    [InlineData(" f47ac10b-58cc-4372-a567-0e02b2c3d479")]  // surrounding space
    [InlineData("f47ac10b-58cc-4372-a567-0e02b2c3d47")]    // short
    [InlineData("f47ac10b-58cc-4372-a567-0e02b2c3d4790")]  // long
    [InlineData("f47ac10b-58cc4-372-a567-0e02b2c3d479")]   // dash misplaced
    [InlineData("g47ac10b-58cc-4372-a567-0e02b2c3d479")]   // not hex
    [InlineData("f47ac10b-58cc-4372-a567-0e02b2c3d47\u00e9")] // non-ASCII (2 UTF-8 bytes, so also too long)
    [InlineData("f47ac10b+58cc-4372-a567-0e02b2c3d479")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(UuidV4.TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(Guid.Empty, value);
    }

    [Fact]
    public void Rejects_a_non_ascii_byte_in_place_of_a_hex_digit()
    {
        var bytes = "f47ac10b-58cc-4372-a567-0e02b2c3d479"u8.ToArray();
        bytes[0] = 0xE6;
        Assert.False(UuidV4.TryParse(bytes, out _));
    }
}
