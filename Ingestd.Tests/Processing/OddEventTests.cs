using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>Events that are not a plain JSON object go through every step unharmed.</summary>
public class OddEventTests
{
    private const string AllSteps = """
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "parse"
        field = "message"
        format = "logfmt"
        [[pipelines.steps]]
        type = "mask"
        paths = ["a.b"]
        patterns = ["email", "ipv4"]
        [[pipelines.steps]]
        type = "enrich"
        set = { "x.y" = 1 }
        [[pipelines.steps]]
        type = "filter"
        drop_if = "a.b == 'never'"
        """;

    [Theory]
    [InlineData("""[1,"a@b.io"]""")]
    [InlineData("\"a@b.io\"")]
    [InlineData("42")]
    [InlineData("{\"a\":")]
    public void A_non_object_or_broken_event_is_stored_as_it_came(string json) => Assert.Equal(json, One(AllSteps, json));

    [Fact]
    public void Deep_nesting_is_rewritten_without_trouble()
    {
        string Nested(string inner) => string.Concat(Enumerable.Repeat("{\"a\":", 60)) + inner + new string('}', 60);
        string expected = Nested("\"[REDACTED]\"").Insert(Nested("").Length - 60 + "\"[REDACTED]\"".Length + 59, ",\"x\":{\"y\":1}");
        Assert.Equal(expected, One(AllSteps, Nested("\"1.2.3.4\"")));
    }

    [Fact]
    public void Escaped_member_names_are_matched_unescaped()
        => Assert.Equal("""{"a":{"b":"[REDACTED]"},"x":{"y":1}}""", One(AllSteps, """{"\u0061":{"b":"secret"}}"""));

    // Steps read without comments first (the reader's faster path) and again skipping them only when that fails.
    [Fact]
    public void An_event_with_comments_is_still_rewritten()
        => Assert.Equal("""{"a":{"b":"[REDACTED]"},"x":{"y":1}}""", One(AllSteps, "{/* c */\"a\":{\"b\":\"s\" // d\n}}"));

    [Fact]
    public void A_condition_finds_its_field_after_a_comment()
        => Assert.Empty(Run("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "filter"
            drop_if = "a.b == 'gone'"
            """, """{"a":{/* c */"b":"gone"}}"""));
}
