using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Processing;

namespace Ingestd.Tests.Processing;

/// <summary>
/// The <c>json</c> parse format's quick scan never accepts what <see cref="Utf8JsonReader"/> (no comments, depth 64)
/// rejects, and where it accepts, it finds the value where the reader does. Where it is not sure, it says so and the
/// reader decides.
/// </summary>
public class JsonValueScanTests
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    [Fact]
    public void Generated_documents_are_accepted_with_the_readers_value_range()
    {
        var random = new Random(7);
        int accepted = 0;
        for (int n = 0; n < 3000; n++)
        {
            var json = Encoding.UTF8.GetBytes(Document(random));
            AssertAgreesWithReader(json);
            if (JsonValueScan.TryScan(json, out _, out _)) accepted++;
        }
        Assert.True(accepted > 2500, $"only {accepted} of 3000 taken by the scan");
    }

    [Fact]
    public void Every_cut_and_every_changed_byte_of_generated_documents_is_never_accepted_where_the_reader_refuses()
    {
        var random = new Random(8);
        byte[] replacements = "\"\\{}[],:-+.eE0159 tfnux\u0001\u007f"u8.ToArray();
        for (int n = 0; n < 150; n++)
        {
            var json = Encoding.UTF8.GetBytes(Document(random));
            for (int cut = 0; cut < json.Length; cut++) AssertAgreesWithReader(json.AsSpan(0, cut).ToArray());
            for (int at = 0; at < json.Length; at++)
            {
                var changed = json.ToArray();
                changed[at] = replacements[random.Next(replacements.Length)];
                AssertAgreesWithReader(changed);
            }
        }
    }

    [Theory]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("01")]
    [InlineData("1.")]
    [InlineData("-")]
    [InlineData(".5")]
    [InlineData("+1")]
    [InlineData("1e+")]
    [InlineData("truex")]
    [InlineData("{\"a\" 1}")]
    [InlineData("[1 2]")]
    [InlineData("{} {}")]
    [InlineData("\"a\u0001b\"")]
    [InlineData("\"a\\xb\"")]
    [InlineData("[1}")]
    [InlineData("{\"a\":1]")]
    [InlineData("// c\n{}")]
    [InlineData("")]
    [InlineData("   ")]
    public void Text_the_reader_refuses_is_not_accepted(string text) =>
        Assert.False(JsonValueScan.TryScan(Encoding.UTF8.GetBytes(text), out _, out _));

    [Theory]
    [InlineData("\"\\u0041\"")]
    [InlineData("{\"a\":\"\\ud83d\\ude00\"}")]
    public void A_unicode_escape_is_left_to_the_reader(string text) =>
        Assert.False(JsonValueScan.TryScan(Encoding.UTF8.GetBytes(text), out _, out _));

    [Fact]
    public void Containers_deeper_than_32_are_left_to_the_reader()
    {
        Assert.True(JsonValueScan.TryScan(Encoding.UTF8.GetBytes(new string('[', 32) + new string(']', 32)), out _, out _));
        Assert.False(JsonValueScan.TryScan(Encoding.UTF8.GetBytes(new string('[', 33) + new string(']', 33)), out _, out _));
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_left_to_the_reader()
    {
        byte[] json = [(byte)'"', 0xC3, (byte)'"'];
        Assert.False(JsonValueScan.TryScan(json, out _, out _));
        Assert.True(JsonValueScan.TryScan(Encoding.UTF8.GetBytes("\"naïve ☃ 😀\""), out _, out _));
    }

    [Fact]
    public void The_value_range_excludes_the_whitespace_around_it()
    {
        Assert.True(JsonValueScan.TryScan(" \t\r\n{\"a\" : [ 1 , 2.5e-3 ] }\n "u8, out int start, out int end));
        Assert.Equal(4, start);
        Assert.Equal(27, end);
    }

    [Theory]
    [InlineData("""{"text":"a b c","user":"u@example.com","n":[1,{"k_1":true}],"a.b-c":null}""", true)]
    [InlineData(""" {"a":1} """, true)]
    [InlineData("""{"a": 1}""", false)]
    [InlineData("""{"a":[1, 2]}""", false)]
    [InlineData("""{"a":"x\"y"}""", false)]
    [InlineData("""{"a":"é"}""", false)]
    [InlineData("""{"a@b":1}""", false)]
    [InlineData("""{"a b":1}""", false)]
    [InlineData("""{"a<b":1}""", false)]
    [InlineData("\"a\u007fb\"", false)]
    public void A_value_is_simple_when_compact_printable_unescaped_and_its_names_are_word_characters(string text, bool simple)
    {
        Assert.True(JsonValueScan.TryScan(Encoding.UTF8.GetBytes(text), out _, out _, out bool actual));
        Assert.Equal(simple, actual);
    }

    private static void AssertAgreesWithReader(byte[] json)
    {
        if (!JsonValueScan.TryScan(json, out int start, out int end)) return;
        string doc = Encoding.UTF8.GetString(json);
        var reader = new Utf8JsonReader(json, Options);
        try
        {
            Assert.True(reader.Read(), doc);
            Assert.Equal(start, (int)reader.TokenStartIndex);
            reader.Skip();
            Assert.Equal(end, (int)reader.BytesConsumed);
            Assert.False(reader.Read(), doc);
        }
        catch (JsonException e)
        {
            Assert.Fail($"the scan accepted what the reader refuses ({e.Message}): {doc}");
        }
    }

    // Documents of every kind of value, with whitespace here and there, escapes, numbers of every shape, non-ASCII text.
    private static string Document(Random random)
    {
        var sb = new StringBuilder();
        Space(sb, random);
        Value(sb, random, 0);
        Space(sb, random);
        return sb.ToString();
    }

    private static void Value(StringBuilder sb, Random random, int depth)
    {
        switch (random.Next(depth > 4 ? 5 : 7))
        {
            case 0: sb.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" }); break;
            case 1:
                string[] numbers = ["0", "-0", "12", "-3.25", "1e9", "2E-7", "6.02e+23", "0.5", "-10.0E1", "123456789012345678901234567890"];
                sb.Append(numbers[random.Next(numbers.Length)]);
                break;
            case 2:
            case 3:
            case 4:
                String(sb, random);
                break;
            case 5:
                sb.Append('[');
                for (int i = 0, n = random.Next(4); i < n; i++)
                {
                    if (i > 0) sb.Append(',');
                    Space(sb, random);
                    Value(sb, random, depth + 1);
                    Space(sb, random);
                }
                sb.Append(']');
                break;
            default:
                sb.Append('{');
                for (int i = 0, n = random.Next(4); i < n; i++)
                {
                    if (i > 0) sb.Append(',');
                    Space(sb, random);
                    String(sb, random);
                    Space(sb, random);
                    sb.Append(':');
                    Space(sb, random);
                    Value(sb, random, depth + 1);
                    Space(sb, random);
                }
                sb.Append('}');
                break;
        }
    }

    private static void String(StringBuilder sb, Random random)
    {
        string[] parts = ["a", "text ", "user@example.com", "\\\"", "\\\\", "\\/", "\\n", "\\t", "é", "☃", "😀", "<>&'+`", "x".PadRight(40, 'y')];
        sb.Append('"');
        for (int i = 0, n = random.Next(6); i < n; i++) sb.Append(parts[random.Next(parts.Length)]);
        sb.Append('"');
    }

    private static void Space(StringBuilder sb, Random random)
    {
        if (random.Next(4) == 0) sb.Append(" \t\n\r"[random.Next(4)]);
    }
}
