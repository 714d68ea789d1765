using System.Buffers;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects;

namespace Ingestd.Tests.Dialects;

public class JsonEscapeTests
{
    private static string Lenient(byte[] bytes)
    {
        var output = new ArrayBufferWriter<byte>();
        JsonEscape.WriteQuotedLenient(output, bytes);
        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void A_plain_header_value_is_echoed_quoted_as_is()
        => Assert.Equal("\"stream-a\"", Lenient("stream-a"u8.ToArray()));

    [Fact]
    public void Quotes_backslashes_and_tabs_in_a_header_value_are_escaped()
        => Assert.Equal("\"a\\\"b\\\\c\\td\"", Lenient("a\"b\\c\td"u8.ToArray()));

    [Fact]
    public void Bytes_that_are_not_utf8_are_echoed_as_replacement_characters()
    {
        string json = Lenient([(byte)'a', 0xFF, (byte)'b']);
        Assert.Equal("a\uFFFDb", JsonDocument.Parse(json).RootElement.GetString());
    }
}
