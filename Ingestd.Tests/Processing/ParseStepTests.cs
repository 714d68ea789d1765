using System.Buffers;
using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Processing;
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

    [Theory]
    [InlineData("""{"a":1 /* note */}""")]
    [InlineData("""{"a":1} // note""")]
    public void Json_text_with_comments_is_a_parse_failure_so_the_stored_event_stays_json(string text)
    {
        string json = Parse("json", text);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("json: not valid JSON", doc.RootElement.GetProperty("_parse_error").GetString());
        Assert.False(doc.RootElement.TryGetProperty("parsed", out _));
    }

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

    // Combined log lines and the characters that decide where their parts end (spaces, quotes, brackets, digits,
    // other whitespace and digits, non-ASCII), for the hand-written parser to be compared with the expression.
    private static readonly string[] CombinedLines =
    [
        "203.0.113.9 - - [10/Oct/2024:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 512 \"-\" \"curl/8\"",
        "203.0.113.9 - frank [10/Oct/2024:13:55:36 +0000] \"POST /b?x=1 HTTP/2.0\" 404 - \"https://r.example/\" \"Mozilla/5.0 (X11)\" extra",
        "::1 id user [t] \"GET /\" 200 0",
        "h - - [t] \"GET  \" 301 12 \"\" \"\"",
        "h - - [t] \"PUT /p HTTP/1.0 x\" 500 12 \"a\"",
    ];

    /// <summary>The seed lines, then <paramref name="count"/> copies with 1–3 characters removed, inserted or replaced by ones that decide where parts end.</summary>
    private static List<string> Mutated(string[] seeds, string decisive, int seed, int count)
    {
        var random = new Random(seed);
        var lines = new List<string>(seeds);
        for (int k = 0; k < count; k++)
        {
            var line = new StringBuilder(seeds[random.Next(seeds.Length)]);
            for (int e = random.Next(1, 4); e > 0 && line.Length > 0; e--)
            {
                int at = random.Next(line.Length);
                char c = decisive[random.Next(decisive.Length)];
                switch (random.Next(3))
                {
                    case 0: line.Remove(at, 1); break;
                    case 1: line.Insert(at, c); break;
                    default: line[at] = c; break;
                }
            }
            lines.Add(line.ToString());
        }
        return lines;
    }

    private const string Decisive = " \"[]-09AZaz\t\u00a0\u0663\u00e9\u2028/\n";

    [Fact]
    public void The_combined_log_formats_parse_as_their_regular_expressions_do()
    {
        var lines = Mutated(CombinedLines, Decisive, seed: 12, count: 4000);
        var pairs = new (LineParser Regex, LineParser Hand)[] { (RegexLineParser.NginxCombined(), CombinedLogParser.Nginx()), (RegexLineParser.ApacheCombined(), CombinedLogParser.Apache()) };
        int matched = 0;
        foreach (var (regex, hand) in pairs)
            foreach (var line in lines)
            {
                var (okRegex, jsonRegex, errorRegex) = ParseWith(regex, line);
                var (okHand, jsonHand, errorHand) = ParseWith(hand, line);
                Assert.True(okRegex == okHand, line);
                Assert.Equal(errorRegex, errorHand);
                if (okRegex) Assert.Equal(jsonRegex, jsonHand);
                if (okRegex) matched++;
            }
        // Both outcomes are well represented.
        Assert.InRange(matched, 1000, 2 * lines.Count - 1000);
    }

    private static (bool Ok, string Json, string Error) ParseWith(LineParser parser, string line)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true });
        bool ok = parser.TryParse(Encoding.UTF8.GetBytes(line), w, out string error);
        w.Flush();
        return (ok, Encoding.UTF8.GetString(buffer.WrittenSpan), error);
    }

    private static readonly string[] SyslogLines =
    [
        "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
        "<13>Feb  5 17:32:18 10.0.0.99 myproc[10]: %% It's time to make the do-nuts.",
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\"] An application event",
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
        "<165>1 2003-10-11T22:14:15.003Z host app - ID47 [a x=\"\\]\"][b]",
        "<165>1 2003-10-11T22:14:15.003Z host app - ID47 -\n",
        "<7>Jan 01 00:00:00 h app:",
    ];

    private const string SyslogDecisive = " <>1[]\\:-\"09AZaz\n\t\u00a0\u0663\u00e9";

    [Fact]
    public void The_syslog_format_parses_as_its_regular_expressions_do()
    {
        var lines = Mutated(SyslogLines, SyslogDecisive, seed: 5424, count: 6000);
        LineParser rfc5424 = RegexLineParser.Syslog5424(), rfc3164 = RegexLineParser.Syslog3164(), hand = new SyslogLineParser();
        int matched = 0;
        foreach (var line in lines)
        {
            var regex = SyslogLineParser.IsRfc5424(Encoding.UTF8.GetBytes(line)) ? rfc5424 : rfc3164;
            var (okRegex, jsonRegex, errorRegex) = ParseWith(regex, line);
            var (okHand, jsonHand, errorHand) = ParseWith(hand, line);
            Assert.True(okRegex == okHand, line);
            Assert.Equal(errorRegex, errorHand);
            if (okRegex) Assert.Equal(jsonRegex, jsonHand);
            if (okRegex) matched++;
        }
        Assert.InRange(matched, 1000, lines.Count - 1000);
    }
}
