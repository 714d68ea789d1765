using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Processing;
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
    public void A_masked_value_is_escaped_where_its_kept_characters_or_replacement_need_it()
    {
        Assert.Equal("""{"k":"****\"é\\z"}""", Mask("paths = [\"k\"]\naction = \"partial\"", """{"k":"secret-a\"é\\z"}"""));
        Assert.Equal("""{"k":"<\"x\">"}""", Mask("paths = [\"k\"]\nreplacement = \"<\\\"x\\\">\"", """{"k":"v"}"""));
        Assert.Equal("""{"k":"****\t\u0001ab"}""", Mask("paths = [\"k\"]\naction = \"partial\"", """{"k":"secret\t\u0001ab"}"""));
    }

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

    // The pattern prefilter skips text without a needle ('@', "eyJ"); an escape that spells the needle must still be found.
    [Fact]
    public void An_email_whose_at_sign_is_escaped_is_masked()
        => Assert.Equal("""{"m":"mail [REDACTED] now"}""", Mask("""patterns = ["email"]""", """{"m":"mail alice\u0040example.com now"}"""));

    [Fact]
    public void An_email_with_an_escaped_at_sign_inside_a_nested_object_is_masked()
        => Assert.Equal("""{"a":{"b":["x [REDACTED]"]},"c":{"d":"plain"}}""",
            Mask("""patterns = ["email"]""", """{"a":{"b":["x a\u0040b.io"]},"c":{"d":"plain"}}"""));

    [Fact]
    public void A_jwt_whose_header_is_escaped_is_masked()
        => Assert.Equal("""{"t":"[REDACTED]"}""",
            Mask("""patterns = ["jwt"]""", """{"t":"\u0065yJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"}"""));

    [Fact]
    public void An_email_next_to_a_subtree_without_one_is_masked_and_the_subtree_kept()
        => Assert.Equal("""{"a":{"n":1,"s":"no secret"},"b":{"u":"[REDACTED]"}}""",
            Mask("""patterns = ["email"]""", """{"a":{"n":1,"s":"no secret"},"b":{"u":"u@x.org"}}"""));

    [Fact]
    public void A_path_is_masked_in_an_event_without_any_pattern_needle()
        => Assert.Equal("""{"m":"plain","card":"[REDACTED]"}""",
            Mask("paths = [\"card\"]\npatterns = [\"email\", \"jwt\"]", """{"m":"plain","card":"4111"}"""));

    [Fact]
    public void A_pattern_without_a_needle_still_sees_every_string()
        => Assert.Equal("""{"a":{"ip":"[REDACTED]"}}""", Mask("""patterns = ["email", "ipv4"]""", """{"a":{"ip":"10.0.0.1"}}"""));

    // A mask or removal whose member name does not occur in the event skips the rewrite; an escaped name must not hide it.
    [Fact]
    public void A_path_whose_name_is_escaped_is_masked()
        => Assert.Equal("""{"event":{"card":"[REDACTED]"}}""", Mask("""paths = ["event.card"]""", """{"event":{"\u0063ard":"4111"}}"""));

    [Fact]
    public void An_event_without_the_masked_member_is_kept_as_it_came()
    {
        const string json = """{ "event" : { "amount" : 5 } }""";
        Assert.Equal(json, Mask("""paths = ["event.card"]""", json));
    }

    // String values as written in the event (JSON escapes as they stand), around and inside e-mail addresses.
    private static readonly string[] EscapedStrings =
    [
        string.Concat(Enumerable.Range(0x20, 0x5f).Select(c => c is '"' or '\\' ? "" : ((char)c).ToString())) + " me@x.io",
        """a \"b\" c\\d me@x.io e\/f""",
        """\b\f\n\r\t me@x.io\n""",
        """\nuser@x.io\"tail""",
        """{\"user\":\"u1@example.com\",\"text\":\"it\\u0027s\"} and v2@example.org""",
        """\u0041 me@x.io \u00e9""",
        """café me@x.io""",
        """\ud83d\ude00 me@x.io""",
        """me@x.io""",
        """a@b.io and c@d.io\t""",
        """\u0001 me@x.io \u001f""",
        """no address \" here""",
    ];

    [Fact]
    public void A_string_masked_by_one_pattern_is_the_bytes_decoding_masking_and_writing_it_again_give()
    {
        string[] actions = ["", "action = \"partial\"", "action = \"hash\"\nkey = \"0123456789abcdef-key\"",
            "replacement = \"<a \\\"b\\\" \\\\ c>\"", "replacement = \"gel\u00f6scht\""];
        foreach (var action in actions)
            foreach (var raw in EscapedStrings)
            {
                string json = "{\"s\":\"" + raw + "\"}";
                // A second pattern that matches nothing here makes the mask decode, mask and re-write the whole string.
                string rewritten = Mask("patterns = [\"email\", \"aws_key\"]\n" + action, json);
                Assert.Equal(rewritten, Mask("patterns = [\"email\"]\n" + action, json));
            }
    }
}
