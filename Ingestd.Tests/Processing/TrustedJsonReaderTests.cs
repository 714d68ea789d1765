using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Processing;

namespace Ingestd.Tests.Processing;

/// <summary>
/// The rewrite passes' tokenizer over already-valid JSON gives what <see cref="Utf8JsonReader"/> (comments skipped, depth
/// 256) gives for the same text: token by token, position by position, value by value.
/// </summary>
public class TrustedJsonReaderTests
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 };

    [Fact]
    public void Generated_valid_documents_read_as_the_framework_reader_reads_them()
    {
        var random = new Random(12);
        for (int n = 0; n < 3000; n++)
        {
            var doc = new StringBuilder();
            WriteValue(doc, random, depth: 0, objectOnly: n % 2 == 0);
            AssertSameTokens(Encoding.UTF8.GetBytes(doc.ToString()), skipSeed: n);
        }
    }

    [Theory]
    [InlineData("""{"a":"\"\\\/\b\f\n\r\t","b":"x\u0041y","c":"\u00e9\u4e2d"}""")]
    [InlineData("""{"surrogates":"\ud83d\ude00 and \uD83D\uDE00","\u0061\u0062":1}""")]
    [InlineData("""{"name \"quoted\"":"v","back\\slash":"\\"}""")]
    public void Escapes_are_unescaped_as_the_framework_reader_unescapes_them(string json) => AssertSameTokens(Encoding.UTF8.GetBytes(json), skipSeed: -1);

    [Fact]
    public void Strings_of_every_length_with_an_escape_anywhere_read_as_the_framework_reader_reads_them()
    {
        // The string scan goes eight bytes at a time: every length and every place of the escape around those steps.
        string[] escapes = ["\\\"", "\\\\", "\\u0041", "é", "\\ud83d\\ude00"];
        for (int length = 0; length < 40; length++)
            for (int at = 0; at <= length; at++)
                foreach (var escape in escapes)
                {
                    string text = new string('a', at) + escape + new string('b', length - at);
                    AssertSameTokens(Encoding.UTF8.GetBytes($$"""{"{{text}}":"{{text}}","n":[1,"{{text}}"]}"""), skipSeed: -1);
                    AssertSameTokens(Encoding.UTF8.GetBytes($$"""[{"{{text}}":"{{text}}"}]"""), skipSeed: 1);
                }
    }

    [Theory]
    [InlineData("""["a\u0041b"]""", true)]
    [InlineData("""["a\/b"]""", true)]
    [InlineData("""["a\"b\\c\n\t\r\b\f"]""", false)]
    [InlineData("""["a\\u0041"]""", false)]
    [InlineData("""["a\\/"]""", false)]
    [InlineData("""["plain"]""", false)]
    public void A_unicode_or_solidus_escape_is_noted_while_the_string_is_read(string json, bool rare)
    {
        var reader = new TrustedJsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        reader.Read();
        Assert.Equal(JsonTokenType.String, reader.TokenType);
        Assert.Equal(rare, reader.ValueHasRareEscape);
    }

    [Fact]
    public void A_value_read_unescaping_is_the_token_read_gives_and_the_text_copy_string_gives()
    {
        // Every length around the 16-byte copies, every escape kind at every place; \u and values that are not strings
        // are read as Read reads them and reported not unescaped.
        string[] escapes = ["\\\"", "\\\\", "\\/", "\\n", "\\t\\r\\b\\f", "\\u0041", "é", "\\\\\\\""];
        var into = new System.Buffers.ArrayBufferWriter<byte>();
        for (int length = 0; length < 48; length++)
            for (int at = 0; at <= length; at++)
                foreach (var escape in escapes)
                {
                    string text = new string('a', at) + escape + new string('b', length - at);
                    AssertReadUnescaping(Encoding.UTF8.GetBytes($$"""{"m":"{{text}}","n":1}"""), into, limit: 1024, expectUnescaped: !escape.Contains("\\u"));
                }
        foreach (var value in (string[])["1", "-2.5e3", "true", "null", "[\"a\"]", "{\"k\":\"v\"}"])
            AssertReadUnescaping(Encoding.UTF8.GetBytes($$"""{"m":{{value}},"n":1}"""), into, limit: 1024, expectUnescaped: false);
    }

    [Fact]
    public void A_string_longer_than_the_limit_is_read_and_left_escaped()
    {
        var into = new System.Buffers.ArrayBufferWriter<byte>();
        var json = Encoding.UTF8.GetBytes("{\"m\":\"" + new string('x', 100) + "\\\"" + new string('y', 100) + "\"}");
        AssertReadUnescaping(json, into, limit: 64, expectUnescaped: false);
        AssertReadUnescaping(json, into, limit: 1024, expectUnescaped: true);
    }

    private static void AssertReadUnescaping(byte[] json, System.Buffers.ArrayBufferWriter<byte> into, int limit, bool expectUnescaped)
    {
        string doc = Encoding.UTF8.GetString(json);
        var expected = new TrustedJsonReader(json);
        var actual = new TrustedJsonReader(json);
        expected.Read();
        expected.Read();
        actual.Read();
        actual.Read();
        expected.Read();
        bool unescaped = actual.ReadUnescaping(into, limit);
        Assert.True(expectUnescaped == unescaped, doc);
        Assert.Equal(expected.TokenType, actual.TokenType);
        Assert.True(expected.TokenStartIndex == actual.TokenStartIndex && expected.BytesConsumed == actual.BytesConsumed, doc);
        Assert.True(expected.ValueSpan.SequenceEqual(actual.ValueSpan), doc);
        Assert.Equal(expected.ValueIsEscaped, actual.ValueIsEscaped);
        if (expected.TokenType == JsonTokenType.String) Assert.Equal(expected.ValueHasRareEscape, actual.ValueHasRareEscape);
        if (unescaped)
        {
            var copy = new byte[json.Length];
            int n = expected.CopyString(copy);
            Assert.True(copy.AsSpan(0, n).SequenceEqual(into.WrittenSpan), doc);
        }
        // The rest reads on as before.
        while (expected.Read())
        {
            Assert.True(actual.Read());
            Assert.Equal(expected.BytesConsumed, actual.BytesConsumed);
        }
        Assert.False(actual.Read());
    }

    [Theory]
    [InlineData("""{"é":"naïve ☃ 中文 😀","k":["ü",{"ß":"€"}]}""")]
    [InlineData("{\"a\":\"\u2028\u2029\"}")]
    public void Unescaped_unicode_is_read_as_it_stands(string json) => AssertSameTokens(Encoding.UTF8.GetBytes(json), skipSeed: -1);

    [Theory]
    [InlineData("""{"a":[],"b":{},"c":[[]],"d":[{}],"e":{"f":{}},"g":[[],{},[{}]]}""")]
    [InlineData("""[[[[1,[2,[3]]]],{"a":[{"b":[]}]}]]""")]
    [InlineData(" { \"a\" : [ 1 , 2 ] , \"b\" : { } } ")]
    public void Empty_and_nested_containers_are_read_as_the_framework_reader_reads_them(string json)
    {
        AssertSameTokens(Encoding.UTF8.GetBytes(json), skipSeed: -1);
        for (int seed = 0; seed < 20; seed++) AssertSameTokens(Encoding.UTF8.GetBytes(json), skipSeed: seed);
    }

    [Theory]
    [InlineData("""{"n":[0,-0,1,-1,12.5,-0.25,1e3,1E+3,2.5e-7,-9.75E-10,123456789012345678901234567890]}""")]
    [InlineData("""[true,false,null,0,"0"]""")]
    [InlineData("-12.5e3")]
    [InlineData("\"lone\"")]
    public void Numbers_and_literals_are_read_as_the_framework_reader_reads_them(string json) => AssertSameTokens(Encoding.UTF8.GetBytes(json), skipSeed: -1);

    [Theory]
    [InlineData("{/* c */\"a\":{\"b\":\"s\" // d\n}}")]
    [InlineData("{\"a\" : /* between */ [1 /*x*/, // y\r\n 2]}")]
    [InlineData("{\"a\":\"/* not a comment */ // nor this\"}")]
    public void Comments_are_skipped_as_the_framework_reader_skips_them(string json)
    {
        AssertSameTokens(Encoding.UTF8.GetBytes(json), skipSeed: -1);
        for (int seed = 0; seed < 10; seed++) AssertSameTokens(Encoding.UTF8.GetBytes(json), skipSeed: seed);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(257)]
    public void The_depth_limit_is_the_framework_readers(int depth)
    {
        var json = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":[", depth / 2)) + (depth % 2 == 1 ? "{}" : "1")
            + string.Concat(Enumerable.Repeat("]}", depth / 2)));
        bool frameworkThrows = Throws(() => ReadAllFramework(json, skip: false));
        Assert.Equal(frameworkThrows, Throws(() => ReadAllTrusted(json, skip: false)));
        Assert.Equal(frameworkThrows, Throws(() => ReadAllTrusted(json, skip: true)));
        Assert.Equal(depth > 256, frameworkThrows);
    }

    [Fact]
    public void A_truncated_document_throws_where_the_framework_reader_throws()
    {
        var random = new Random(7);
        int broken = 0;
        for (int n = 0; n < 200; n++)
        {
            var doc = new StringBuilder();
            WriteValue(doc, random, depth: 0, objectOnly: true);
            var json = Encoding.UTF8.GetBytes(doc.ToString());
            for (int cut = 1; cut < json.Length; cut++)
            {
                // (A cut inside a trailing line comment, or in trailing space, leaves a whole document.)
                var prefix = json.AsSpan(0, cut).ToArray();
                bool expected = Throws(() => ReadAllFramework(prefix, skip: false));
                if (expected) broken++;
                Assert.True(expected == Throws(() => ReadAllTrusted(prefix, skip: false)), $"{doc} cut at {cut}");
                Assert.True(expected == Throws(() => ReadAllTrusted(prefix, skip: true)), $"{doc} cut at {cut}, skipping");
            }
        }
        Assert.True(broken > 1000);
    }

    [Theory]
    [InlineData("{\"a\":1}x")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{\"a\":1 \"b\":2}")]
    [InlineData("{\"a\":[1}}")]
    [InlineData("{\"a\":tru}")]
    [InlineData("{1:2}")]
    [InlineData("{\"a\":}")]
    [InlineData("[1,]x")]
    public void Broken_structure_throws(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.True(Throws(() => ReadAllTrusted(bytes, skip: false)));
    }

    // Both readers token by token; at some tokens (chosen by the seed) both skip.
    private static void AssertSameTokens(byte[] json, int skipSeed)
    {
        var expected = new Utf8JsonReader(json, Options);
        var actual = new TrustedJsonReader(json);
        var random = skipSeed < 0 ? null : new Random(skipSeed);
        var a = new byte[json.Length * 2 + 16];
        var b = new byte[json.Length * 2 + 16];
        string doc = Encoding.UTF8.GetString(json);
        while (true)
        {
            bool more = expected.Read();
            Assert.Equal(more, actual.Read());
            if (!more) break;
            if (random is not null && random.Next(4) == 0)
            {
                expected.Skip();
                actual.Skip();
            }
            Assert.True(expected.TokenType == actual.TokenType, $"{doc}: {expected.TokenType} at {expected.TokenStartIndex}, got {actual.TokenType} at {actual.TokenStartIndex}");
            Assert.True(expected.TokenStartIndex == actual.TokenStartIndex, $"{doc}: start of {expected.TokenType}");
            Assert.True(expected.BytesConsumed == actual.BytesConsumed, $"{doc}: consumed after {expected.TokenType} at {expected.TokenStartIndex}");
            Assert.Equal(expected.CurrentDepth, actual.CurrentDepth);
            if (expected.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray or JsonTokenType.EndObject or JsonTokenType.EndArray) continue;
            Assert.True(expected.ValueSpan.SequenceEqual(actual.ValueSpan), $"{doc}: value at {expected.TokenStartIndex}");
            Assert.Equal(expected.ValueIsEscaped, actual.ValueIsEscaped);
            if (expected.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                int na = expected.CopyString(a);
                int nb = actual.CopyString(b);
                Assert.True(a.AsSpan(0, na).SequenceEqual(b.AsSpan(0, nb)), $"{doc}: unescaped at {expected.TokenStartIndex}");
                Assert.True(HasRareEscape(expected.ValueSpan) == actual.ValueHasRareEscape, $"{doc}: \\u or \\/ at {expected.TokenStartIndex}");
            }
        }
    }

    // Whether the content holds a \u or \/ escape, escape by escape.
    private static bool HasRareEscape(ReadOnlySpan<byte> content)
    {
        for (int i = 0; i < content.Length; i++)
        {
            if (content[i] != '\\') continue;
            if (content[i + 1] is (byte)'u' or (byte)'/') return true;
            i++;
        }
        return false;
    }

    private static void ReadAllFramework(byte[] json, bool skip)
    {
        var reader = new Utf8JsonReader(json, Options);
        while (reader.Read())
            if (skip) reader.Skip();
    }

    private static void ReadAllTrusted(byte[] json, bool skip)
    {
        var reader = new TrustedJsonReader(json);
        // Bounded: every Read moves forward by at least one byte.
        for (int i = 0; i <= json.Length && reader.Read(); i++)
            if (skip) reader.Skip();
    }

    private static bool Throws(Action read)
    {
        try
        {
            read();
            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    private static readonly string[] Spaces = ["", "", "", " ", "\n", "\t", " \r\n ", "/* c */", "// line\n", "/**/ "];

    private static readonly string[] Pieces = ["a", "b", "Zz", "é", "中文", "😀", " ", "@", "x.y", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r",
        "\\u0041", "\\u00e9", "\\u4e2d", "\\ud83d\\ude00", "\\u0000", "\\u001f", "/*", "//", "{", "]", ":", ",", "'"];

    private static readonly string[] Numbers = ["0", "-0", "7", "-12", "3.25", "-0.5", "1e9", "2E-3", "6.02e+23", "12345678901234567890", "-1.0E0"];

    private static void WriteValue(StringBuilder sb, Random random, int depth, bool objectOnly = false)
    {
        int kind = objectOnly ? 0 : depth > 6 ? 2 + random.Next(4) : random.Next(6);
        switch (kind)
        {
            case 0:
                sb.Append('{');
                int members = random.Next(depth == 0 ? 1 : 0, 5);
                for (int i = 0; i < members; i++)
                {
                    if (i > 0) sb.Append(',');
                    Space(sb, random);
                    WriteString(sb, random);
                    // The framework reader takes no comment between a name and its colon.
                    sb.Append(random.Next(3) == 0 ? " \n" : "");
                    sb.Append(':');
                    Space(sb, random);
                    WriteValue(sb, random, depth + 1);
                    Space(sb, random);
                }
                sb.Append('}');
                break;
            case 1:
                sb.Append('[');
                int elements = random.Next(5);
                for (int i = 0; i < elements; i++)
                {
                    if (i > 0) sb.Append(',');
                    Space(sb, random);
                    WriteValue(sb, random, depth + 1);
                    Space(sb, random);
                }
                sb.Append(']');
                break;
            case 2:
            case 3:
                WriteString(sb, random);
                break;
            case 4:
                sb.Append(Numbers[random.Next(Numbers.Length)]);
                break;
            default:
                sb.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
        }
        if (depth == 0) Space(sb, random);
    }

    private static void WriteString(StringBuilder sb, Random random)
    {
        sb.Append('"');
        int parts = random.Next(5);
        for (int i = 0; i < parts; i++) sb.Append(Pieces[random.Next(Pieces.Length)]);
        sb.Append('"');
    }

    private static void Space(StringBuilder sb, Random random) => sb.Append(Spaces[random.Next(Spaces.Length)]);
}
