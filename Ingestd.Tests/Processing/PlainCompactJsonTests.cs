using System.Text;
using Ingestd.Parsing.Processing;

namespace Ingestd.Tests.Processing;

/// <summary>
/// The splice's check that JSON text is written as it stands (printable ASCII without a backslash, no space outside
/// strings, plain names without the needle), made with bit masks over 64-byte blocks, answers as checking it byte by
/// byte does — at every length and every place around the block edges.
/// </summary>
public class PlainCompactJsonTests
{
    [Fact]
    public void Generated_values_are_judged_as_a_byte_by_byte_check_judges_them()
    {
        var random = new Random(5);
        int plain = 0;
        for (int n = 0; n < 20000; n++)
        {
            var value = Encoding.UTF8.GetBytes(Value(random));
            bool expected = ByteByByte(value, "@"u8);
            Assert.True(expected == PlainCompactJson.Check(value, "@"u8), Encoding.UTF8.GetString(value));
            if (expected) plain++;
        }
        Assert.InRange(plain, 2000, 18000);
    }

    [Fact]
    public void A_space_outside_strings_is_found_at_every_offset_around_the_block_edges()
    {
        for (int length = 0; length < 200; length++)
        {
            string inside = $$"""{"text":"{{new string('a', length)}}","n":1}""";
            Assert.True(PlainCompactJson.Check(Encoding.UTF8.GetBytes(inside), "@"u8), inside);
            for (int at = 1; at < inside.Length; at++)
            {
                string spaced = inside.Insert(at, " ");
                Assert.True(ByteByByte(Encoding.UTF8.GetBytes(spaced), "@"u8) == PlainCompactJson.Check(Encoding.UTF8.GetBytes(spaced), "@"u8), spaced);
            }
        }
    }

    [Theory]
    [InlineData("""{"a@b":1}""")]
    [InlineData("""{"a<b":1}""")]
    [InlineData("""{"a":"x\"y"}""")]
    [InlineData("""{"a":"é"}""")]
    [InlineData("""{"a": 1}""")]
    [InlineData("{\"a\":\"\u0001\"}")]
    public void Text_the_writer_would_not_write_as_it_stands_is_refused(string value) =>
        Assert.False(PlainCompactJson.Check(Encoding.UTF8.GetBytes(value), "@"u8));

    [Theory]
    [InlineData("""{"text":"a b c","user":"u@example.com"}""")]
    [InlineData("""["a b",{"k":[1,2,{"x y":"z"}]}]""")]
    [InlineData("""{"a<":"<>&'+`"}""", false)]
    [InlineData("\"a b\"")]
    [InlineData("12")]
    public void Spaces_and_needles_inside_strings_that_are_not_names_are_fine(string value, bool plain = true) =>
        Assert.Equal(plain, PlainCompactJson.Check(Encoding.UTF8.GetBytes(value), "@"u8));

    // The check as the splice made it before: one search per quote and per gap between strings.
    private static bool ByteByByte(ReadOnlySpan<byte> value, ReadOnlySpan<byte> needle)
    {
        bool inString = false;
        int open = -1;
        for (int i = 0; i < value.Length; i++)
        {
            byte b = value[i];
            if (b < 0x20 || b > 0x7e || b == '\\') return false;
            if (b == '"')
            {
                if (!inString) open = i;
                else if (i + 1 < value.Length && value[i + 1] == ':')
                {
                    var name = value[(open + 1)..i];
                    if (name.IndexOfAnyExcept(JsonRewriter.PlainNameBytes) >= 0 || name.IndexOf(needle) >= 0) return false;
                }
                inString = !inString;
            }
            else if (b == ' ' && !inString) return false;
        }
        return !inString;
    }

    private static string Value(Random random)
    {
        string[] names = ["text", "user", "a b", "mail@x", "a<b", "k_1", "x".PadRight(70, 'y')];
        string[] scalars = ["1", "-2.5", "true", "null", "\"a b\"", "\"u@example.com\"", "\"é\"", "\"q\\\"q\"", "\"<&>\"", "\"" + "z".PadRight(90, 'w') + "\""];
        var sb = new StringBuilder("{");
        for (int i = 0, n = random.Next(1, 6); i < n; i++)
        {
            if (i > 0) sb.Append(',');
            if (random.Next(30) == 0) sb.Append(' ');
            sb.Append('"').Append(names[random.Next(names.Length)]).Append("\":");
            if (random.Next(30) == 0) sb.Append(' ');
            sb.Append(scalars[random.Next(scalars.Length)]);
        }
        return sb.Append('}').ToString();
    }
}
