using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>The parse step: JSON, logfmt, key=value, regex and common log lines into a target object.</summary>
public class ParseStepTests
{
    private static string Parse(string format, string message, string extra = "") => One($$"""
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "parse"
        field = "message"
        format = "{{format}}"
        {{extra}}
        """, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["message"] = message },
            new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    [Fact]
    public void Json_text_becomes_structure_under_the_target()
        => Assert.Equal("""{"message":"{\"a\":1,\"b\":[true]}","parsed":{"a":1,"b":[true]}}""", Parse("json", """{"a":1,"b":[true]}"""));

    [Fact]
    public void Logfmt_pairs_become_string_members()
        => Assert.Equal("""{"message":"level=info msg=\"a b\" ok","parsed":{"level":"info","msg":"a b","ok":true}}""", Parse("logfmt", "level=info msg=\"a b\" ok"));

    [Fact]
    public void Kv_uses_the_configured_separators()
        => Assert.Equal("""{"message":"a:1;b:2","parsed":{"a":"1","b":"2"}}""", Parse("kv", "a:1;b:2", "field_split = \";\"\nvalue_split = \":\""));

    [Fact]
    public void Regex_named_groups_become_members()
        => Assert.Equal("""{"message":"user=7 took 12ms","parsed":{"user":"7","ms":"12"}}""", Parse("regex", "user=7 took 12ms", """pattern = 'user=(?<user>\d+) took (?<ms>\d+)ms'"""));

    [Fact]
    public void Nginx_combined_lines_are_split_into_fields()
    {
        string json = Parse("nginx", "203.0.113.9 - - [10/Oct/2024:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 512 \"-\" \"curl/8\"");
        var parsed = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("parsed");
        Assert.Equal(("203.0.113.9", "GET", "/a", "200", "curl/8"), (parsed.GetProperty("remote_addr").GetString(), parsed.GetProperty("method").GetString(),
            parsed.GetProperty("path").GetString(), parsed.GetProperty("status").GetString(), parsed.GetProperty("user_agent").GetString()));
    }

    [Theory]
    [InlineData("<34>1 2024-10-11T22:14:15.003Z host app 42 ID47 - hello there", "app", "hello there")]
    [InlineData("<34>Oct 11 22:14:15 host su[42]: 'su root' failed", "su", "'su root' failed")]
    public void Syslog_lines_of_either_rfc_are_split(string line, string app, string message)
    {
        var parsed = System.Text.Json.JsonDocument.Parse(Parse("syslog", line)).RootElement.GetProperty("parsed");
        Assert.Equal((app, message, "host"), (parsed.GetProperty("app_name").GetString(), parsed.GetProperty("message").GetString(), parsed.GetProperty("hostname").GetString()));
    }

    [Fact]
    public void A_parse_failure_keeps_the_event_and_tags_it_without_quoting_the_text()
        => Assert.Equal("""{"message":"{secret-oops","_parse_error":"json: not valid JSON"}""", Parse("json", "{secret-oops"));

    [Fact]
    public void A_missing_field_leaves_the_event_unchanged()
        => Assert.Equal("""{"other":1}""", One("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "parse"
            field = "message"
            format = "json"
            """, """{"other":1}"""));
}
