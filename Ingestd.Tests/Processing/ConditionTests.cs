using System.Text;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.Processing;

/// <summary>The condition language: parsed once, evaluated over an event's header fields and JSON.</summary>
public class ConditionTests
{
    private const string Event = """{"message":"payment ok","latency_ms":182,"ok":true,"event":{"card":"4111","status":"approved","tags":["a"]},"note":"caf\u00e9","n":null}""";

    private static bool Eval(string condition, string json = Event, string level = "info", string service = "payments")
    {
        var c = ConditionParser.Parse(condition);
        var fields = new EventFields
        {
            Tenant = "org-xyz"u8,
            Stream = "s-1"u8,
            Service = Encoding.UTF8.GetBytes(service),
            Level = Encoding.UTF8.GetBytes(level),
            Json = Encoding.UTF8.GetBytes(json),
            Dialect = Dialect.Streams,
            Kind = RecordKind.Event,
            Locator = new FieldLocator(),
        };
        return c.Evaluate(ref fields);
    }

    [Theory]
    [InlineData("level == 'info'", true)]
    [InlineData("level == \"debug\"", false)]
    [InlineData("level != 'debug'", true)]
    [InlineData("tenant == 'org-xyz' and dialect == 'streams' and kind == 'event' and stream == 's-1'", true)]
    public void Header_fields_compare_as_strings(string condition, bool expected) => Assert.Equal(expected, Eval(condition));

    [Theory]
    [InlineData("event.status == 'approved'", true)]
    [InlineData("event.status == 'declined'", false)]
    [InlineData("message == 'payment ok'", true)]
    public void Json_paths_reach_nested_members(string condition, bool expected) => Assert.Equal(expected, Eval(condition));

    [Theory]
    [InlineData("latency_ms > 100", true)]
    [InlineData("latency_ms >= 182", true)]
    [InlineData("latency_ms < 182", false)]
    [InlineData("latency_ms <= 181.5", false)]
    [InlineData("latency_ms == 182", true)]
    public void Numbers_compare_numerically(string condition, bool expected) => Assert.Equal(expected, Eval(condition));

    [Fact]
    public void A_missing_field_is_unequal_and_neither_less_nor_greater()
    {
        Assert.False(Eval("absent == 'x'"));
        Assert.True(Eval("absent != 'x'"));
        Assert.False(Eval("absent < 5"));
        Assert.False(Eval("absent > 5"));
    }

    [Fact]
    public void In_matches_any_listed_value() => Assert.True(Eval("level in ['error', 'info']"));

    [Fact]
    public void Exists_tells_present_from_absent_members()
    {
        Assert.True(Eval("exists(event.card)"));
        Assert.True(Eval("exists(n)"));
        Assert.False(Eval("exists(event.cvv)"));
    }

    [Fact]
    public void Starts_with_and_contains_test_string_members()
    {
        Assert.True(Eval("starts_with(message, 'pay')"));
        Assert.True(Eval("contains(message, 'ent o')"));
        Assert.False(Eval("contains(latency_ms, '18')"));
    }

    [Fact]
    public void Matches_runs_a_regex() => Assert.True(Eval("matches(event.status, '^app.*d$')"));

    [Fact]
    public void Escaped_strings_compare_unescaped() => Assert.True(Eval("note == 'café'"));

    [Fact]
    public void And_binds_tighter_than_or_and_not_negates()
    {
        Assert.True(Eval("level == 'debug' and ok or latency_ms == 182"));
        Assert.False(Eval("level == 'debug' and (ok or latency_ms == 182)"));
        Assert.True(Eval("not level == 'debug'"));
        Assert.True(Eval("!(level == 'debug') && ok"));
    }

    [Fact]
    public void A_bare_path_is_true_when_the_member_is_true() => Assert.True(Eval("ok"));

    [Fact]
    public void Dollar_dot_reaches_a_member_named_like_a_header_field()
        => Assert.True(Eval("$.level == 'warn'", json: """{"level":"warn"}""", level: "info"));

    [Fact]
    public void Members_inside_arrays_are_found_first_element_first()
        => Assert.True(Eval("items.sku == 'a'", json: """{"items":[{"n":1},{"sku":"a"},{"sku":"b"}]}"""));

    [Theory]
    [InlineData("level = 'x'", 7, "'=' is not an operator; use '=='")]
    [InlineData("level == ", 10, "expected a value, found the end")]
    [InlineData("(level == 'x'", 14, "expected ')', found the end")]
    [InlineData("level == 'x", 10, "unterminated string")]
    [InlineData("frob(level)", 1, "unknown function 'frob' (exists, starts_with, contains, matches)")]
    [InlineData("a.*.b == 1", 1, "'a.*.b': wildcards are for masks, not conditions")]
    public void Errors_name_the_column(string condition, int column, string problem)
    {
        var e = Assert.Throws<ConditionException>(() => ConditionParser.Parse(condition));
        Assert.Equal((column, problem), (e.Column, e.Problem));
    }

    // The locator unescapes strings itself (the reader that found them checked them): it must give the reader's bytes.
    [Theory]
    [InlineData("""plain""")]
    [InlineData("""a\"b\\c\/d\b\f\n\r\t""")]
    [InlineData("""caf\u00e9 \u0041\u20AC\u0000\u007f\u0080\u07FF\u0800\uFFFF""")]
    [InlineData("""pair \uD83D\uDE00 and after""")]
    [InlineData("""{\"user\":\"a@b.c\"}\u0022""")]
    public void Escaped_strings_are_found_as_the_reader_unescapes_them(string escaped)
    {
        var json = System.Text.Encoding.UTF8.GetBytes("{\"m\":\"" + escaped + "\"}");
        var reader = new System.Text.Json.Utf8JsonReader(json);
        reader.Read();
        reader.Read();
        reader.Read();
        var expected = new byte[json.Length];
        int n = reader.CopyString(expected);
        var fields = new Ingestd.Parsing.Conditions.EventFields { Json = json, Locator = new Ingestd.Parsing.Conditions.FieldLocator() };
        var value = fields.Get(Ingestd.Parsing.Conditions.FieldPath.Parse("m"));
        Assert.Equal(expected[..n], value.Bytes.ToArray());
    }

    [Fact]
    public void Unescaping_into_a_buffer_that_overlaps_the_content_is_refused()
    {
        // The unescape copies ahead of where it has got to; the caller then takes the framework reader's way.
        var buffer = System.Text.Encoding.UTF8.GetBytes("""0123456789abcdef\"0123456789abcdef\"0123456789""");
        Assert.False(Ingestd.Parsing.Conditions.JsonUnescaper.TryUnescape(buffer, buffer, out _));
        Assert.True(Ingestd.Parsing.Conditions.JsonUnescaper.TryUnescape(buffer, new byte[buffer.Length], out int n));
        Assert.Equal(buffer.Length - 2, n);
    }
}
