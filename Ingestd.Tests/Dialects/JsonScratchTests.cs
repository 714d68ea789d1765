using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects;

namespace Ingestd.Tests.Dialects;

public class JsonScratchTests
{
    private const int Limit = 8, Slot = 6 * Limit, Size = Slot + Limit;

    private static Utf8JsonReader ReaderOnString(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        return reader;
    }

    [Fact]
    public void TryCapture_leaves_an_unescaped_value_in_the_body_without_renting()
    {
        var json = "\"abc\""u8.ToArray();
        var reader = ReaderOnString(json);
        var scratch = new JsonScratch(Size, 0, Slot);

        Assert.True(scratch.TryCapture(ref reader, Limit, Slot, out var value));

        Assert.Null(scratch.Rented);
        Assert.Equal("abc", Encoding.UTF8.GetString(value.Span(json, null)));
        scratch.Dispose();
    }

    [Fact]
    public void TryCapture_unescapes_an_escaped_value_into_its_slot()
    {
        var json = "\"a\\u0062c\""u8.ToArray();
        var reader = ReaderOnString(json);
        var scratch = new JsonScratch(Size, 0, Slot);

        Assert.True(scratch.TryCapture(ref reader, Limit, Slot, out var value));

        Assert.Equal(3, value.Length);
        Assert.Equal("abc", Encoding.UTF8.GetString(value.Span(json, scratch.Rented)));
        scratch.Dispose();
    }

    [Theory]
    [InlineData("\"123456789\"")]                 // unescaped, one byte over
    [InlineData("\"\\u0031\\u0032345678x\"")]     // escaped, one byte over after unescaping
    public void TryCapture_refuses_a_value_longer_than_the_limit(string text)
    {
        var reader = ReaderOnString(Encoding.UTF8.GetBytes(text));
        var scratch = new JsonScratch(Size, 0, Slot);

        Assert.False(scratch.TryCapture(ref reader, Limit, Slot, out _));
        scratch.Dispose();
    }

    [Fact]
    public void TryCapture_refuses_a_lone_surrogate_and_keeps_the_slot_value()
    {
        var first = "\"\\u0078y\""u8.ToArray();
        var reader = ReaderOnString(first);
        var scratch = new JsonScratch(Size, 0, Slot);
        Assert.True(scratch.TryCapture(ref reader, Limit, Slot, out var kept));

        var lone = ReaderOnString("\"\\uD800\""u8.ToArray());
        Assert.False(scratch.TryCapture(ref lone, Limit, Slot, out _));

        Assert.Equal("xy", Encoding.UTF8.GetString(kept.Span(first, scratch.Rented)));
        scratch.Dispose();
    }
}
