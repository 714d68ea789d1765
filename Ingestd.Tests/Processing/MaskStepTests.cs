using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>The mask step: by path (wildcards too) and by pattern inside strings; replace, hash or partial.</summary>
public class MaskStepTests
{
    private static string Mask(string settings, string json) => One($$"""
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "mask"
        {{settings}}
        """, json);

    [Fact]
    public void A_path_is_replaced_with_the_fixed_text()
        => Assert.Equal("""{"event":{"card":"[REDACTED]","amount":5}}""", Mask("""paths = ["event.card"]""", """{"event":{"card":"4111111111111111","amount":5}}"""));

    [Fact]
    public void Partial_keeps_the_last_four_characters()
        => Assert.Equal("""{"event":{"card":"****1111"}}""", Mask("paths = [\"event.card\"]\naction = \"partial\"", """{"event":{"card":"4111111111111111"}}"""));

    [Fact]
    public void Partial_masks_a_short_value_whole()
        => Assert.Equal("""{"pin":"****"}""", Mask("paths = [\"pin\"]\naction = \"partial\"", """{"pin":"1234"}"""));

    [Fact]
    public void A_number_is_masked_by_its_text()
        => Assert.Equal("""{"card":"****1111"}""", Mask("paths = [\"card\"]\naction = \"partial\"", """{"card":4111111111111111}"""));

    [Fact]
    public void Hash_gives_equal_values_equal_keyed_hashes()
    {
        string settings = """
            paths = ["user"]
            action = "hash"
            key = "0123456789abcdef-key"
            hash_length = 16
            """;
        string a = Mask(settings, """{"user":"alice"}"""), b = Mask(settings, """{"user":"alice"}"""), c = Mask(settings, """{"user":"bob"}""");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Matches("""^\{"user":"[0-9a-f]{16}"\}$""", a);
        Assert.DoesNotContain("alice", a);
    }

    [Fact]
    public void A_wildcard_segment_matches_any_member()
        => Assert.Equal("""{"a":{"token":"[REDACTED]"},"b":{"token":"[REDACTED]","x":1}}""",
            Mask("""paths = ["*.token"]""", """{"a":{"token":"t1"},"b":{"token":"t2","x":1}}"""));

    [Fact]
    public void Members_in_arrays_are_masked()
        => Assert.Equal("""{"users":[{"password":"[REDACTED]"},{"password":"[REDACTED]"}]}""",
            Mask("""paths = ["users.password"]""", """{"users":[{"password":"a"},{"password":"b"}]}"""));

    [Fact]
    public void A_whole_object_can_be_masked()
        => Assert.Equal("""{"metadata":"[REDACTED]","k":1}""", Mask("""paths = ["metadata"]""", """{"metadata":{"password":"x"},"k":1}"""));

    [Theory]
    [InlineData("email", "mail alice@example.com now", "mail [REDACTED] now")]
    [InlineData("credit_card", "card 4111 1111 1111 1111 ok", "card [REDACTED] ok")]
    [InlineData("credit_card", "id 4111111111111112 ok", "id 4111111111111112 ok")]
    [InlineData("ipv4", "from 10.1.2.3:80", "from [REDACTED]:80")]
    [InlineData("ipv4", "version 1.2.3.4.5", "version 1.2.3.4.5")]
    [InlineData("ipv6", "from 2001:db8::1 done", "from [REDACTED] done")]
    [InlineData("jwt", "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x end", "t=[REDACTED] end")]
    [InlineData("bearer", "Authorization: Bearer abcdefgh12345", "Authorization: Bearer [REDACTED]")]
    [InlineData("aws_key", "key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used")]
    public void Built_in_patterns_mask_inside_strings(string pattern, string text, string masked)
        => Assert.Equal($$"""{"m":"{{masked}}"}""", Mask($"""patterns = ["{pattern}"]""", $$"""{"m":"{{text}}"}"""));

    [Fact]
    public void Patterns_reach_strings_at_any_depth()
        => Assert.Equal("""{"a":{"b":["x [REDACTED]"]}}""", Mask("""patterns = ["email"]""", """{"a":{"b":["x a@b.io"]}}"""));

    [Fact]
    public void User_regexes_mask_their_matches()
        => Assert.Equal("""{"m":"order [REDACTED] done"}""", Mask("""regexes = ["ord-[0-9]+"]""", """{"m":"order ord-123 done"}"""));

    [Fact]
    public void An_event_without_matches_is_stored_as_sent()
    {
        const string json = """{ "m" : "nothing here" }""";
        Assert.Equal(json, Mask("""patterns = ["email"]""", json));
    }
}
