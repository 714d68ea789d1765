using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects;

namespace Ingestd.Tests.Dialects;

public class JsonStringsTests
{
    private readonly struct Names : IJsonNameTable
    {
        public static int Match(ReadOnlySpan<byte> name) => name.SequenceEqual("level"u8) ? 1 : 0;
    }

    private static Utf8JsonReader ReaderOnName(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        reader.Read();
        return reader;
    }

    [Theory]
    [InlineData("""{"level":1}""", 1)]
    [InlineData("""{"\u006cevel":1}""", 1)]
    [InlineData("""{"other":1}""", 0)]
    public void Identify_matches_plain_and_escaped_names(string json, int expected)
    {
        var reader = ReaderOnName(json);
        Assert.Equal(expected, JsonStrings.Identify<Names>(ref reader));
        reader = ReaderOnName(json);
        Assert.Equal(expected, JsonStrings.IdentifyOrThrow<Names>(ref reader));
    }

    [Fact]
    public void Identify_treats_an_escaped_name_too_long_to_be_ours_as_unknown()
    {
        var reader = ReaderOnName("{\"" + string.Concat(Enumerable.Repeat("\\u0061", 11)) + "\":1}");
        Assert.Equal(0, JsonStrings.Identify<Names>(ref reader));
    }

    [Fact]
    public void Identify_treats_a_lone_surrogate_name_as_unknown()
    {
        var reader = ReaderOnName("""{"\uD800":1}""");
        Assert.Equal(0, JsonStrings.Identify<Names>(ref reader));
    }

    [Fact]
    public void IdentifyOrThrow_throws_on_a_lone_surrogate_name()
    {
        bool threw = false;
        var reader = ReaderOnName("""{"\uD800":1}""");
        try { JsonStrings.IdentifyOrThrow<Names>(ref reader); }
        catch (InvalidOperationException) { threw = true; }
        Assert.True(threw);
    }

    [Theory]
    [InlineData("\"\\uD800\"")]
    [InlineData("\"abcdef\"")] // does not fit the 4-byte destination
    public void TryCopyString_returns_false_instead_of_throwing(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        Assert.False(JsonStrings.TryCopyString(ref reader, new byte[4], out int length));
        Assert.Equal(0, length);
    }

    [Theory]
    [InlineData("\"2024-05-31T15:30:45Z\"", true)]
    [InlineData("\"2024-05-31T15:30:45\\u005a\"", true)]  // escaped 'Z'
    [InlineData("\"2024-05-31T15:30:45.000000000000Z\"", false)] // 33 raw bytes: longer than the 32-byte scratch
    [InlineData("\"yesterday\"", false)]
    public void TryParseTimestamp_parses_timestamps_that_fit_the_scratch(string json, bool expected)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        Span<byte> scratch = stackalloc byte[32];
        Assert.Equal(expected, JsonStrings.TryParseTimestamp(ref reader, scratch, out long eventNs));
        if (expected) Assert.Equal(1_717_169_445_000_000_000, eventNs);
    }

    [Fact]
    public void TryCapture_keeps_an_unescaped_value_in_the_body_without_renting()
    {
        var json = "\"abc\""u8.ToArray();
        var reader = new Utf8JsonReader(json);
        reader.Read();
        byte[]? scratch = null;

        Assert.True(JsonStrings.TryCapture(ref reader, 3, ref scratch, out var value));

        Assert.Null(scratch);
        Assert.Equal("abc", Encoding.UTF8.GetString(value.Span(json, scratch)));
        Assert.Equal("b", Encoding.UTF8.GetString(value.Slice(1, 1).Span(json, scratch)));
    }

    [Theory]
    [InlineData("\"a\\u0062c\"", true)]
    [InlineData("\"ab\\u0063d\"", false)] // four bytes after unescaping
    public void TryCapture_unescapes_into_the_scratch_up_to_the_limit(string text, bool fits)
    {
        var json = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(json);
        reader.Read();
        byte[]? scratch = null;

        Assert.Equal(fits, JsonStrings.TryCapture(ref reader, 3, ref scratch, out var value));

        if (fits) Assert.Equal("abc", Encoding.UTF8.GetString(value.Span(json, scratch)));
        if (scratch != null) System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
    }
}
