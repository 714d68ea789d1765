using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Processing;
using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>
/// A pass built by splicing (JsonSplicer: the event's own byte ranges with the edits between them), fused or a step's
/// own, gives exactly the bytes, outcomes and counts the writer pass gives; where it cannot show that (whitespace
/// between tokens, escaped names, a mask the writer would escape), it leaves the event to the writer pass.
/// </summary>
public class SpliceTests
{
    private const string IssuePipeline = """
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "parse"
        field = "message"
        format = "json"
        [[pipelines.steps]]
        type = "mask"
        paths = ["metadata.ip", "metadata.user_id"]
        patterns = ["email"]
        [[pipelines.steps]]
        type = "enrich"
        set = { env = "prod" }
        add_host = "host"
        add_tenant = "tenant_id"
        [[pipelines.steps]]
        type = "filter"
        drop_if = "level == 'debug'"
        """;

    // Enrich before the mask: its values go through the mask; it removes `a` and renames `b` to `c`.
    private const string RemovingPipeline = """
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "parse"
        field = "message"
        format = "json"
        [[pipelines.steps]]
        type = "enrich"
        set = { env = "ops@example.com" }
        remove = ["a"]
        rename = { "b" = "c" }
        [[pipelines.steps]]
        type = "mask"
        paths = ["metadata.ip", "user"]
        patterns = ["email"]
        action = "partial"
        """;

    private const string HashingPipeline = """
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "parse"
        field = "message"
        format = "json"
        target = "msg"
        [[pipelines.steps]]
        type = "mask"
        paths = ["metadata.ip", "*.secret"]
        patterns = ["email"]
        action = "hash"
        key = "a-key-of-at-least-sixteen-bytes"
        hash_length = 12
        """;

    /// <summary>
    /// Runs the pipeline spliced, fused with the writer pass only, and step by step (spliced and written); asserts the
    /// same records and counts; returns the records and how many fused passes were spliced.
    /// </summary>
    private static (List<Result> Records, long Spliced) Same(string toml, params string[] events)
    {
        var set = Compile(toml);
        var inputs = events.Select(e => new Input(e)).ToArray();
        var (records, tallies, spliced) = RunCounting(set, inputs);
        var (written, writtenTallies, none) = RunCounting(set.WithoutSplice(), inputs);
        var (alone, aloneTallies, _) = RunCounting(set.WithoutFusion(), inputs);
        var (aloneWritten, aloneWrittenTallies, aloneNone) = RunCounting(set.WithoutFusion().WithoutSplice(), inputs);
        Assert.Equal(0, none);
        Assert.Equal(0, aloneNone);
        Assert.Equal(aloneWritten, alone);
        Assert.Equal(aloneWrittenTallies, aloneTallies);
        Assert.Equal(written, records);
        Assert.Equal(writtenTallies, tallies);
        Assert.Equal(alone, records);
        Assert.Equal(aloneTallies, tallies);
        return (records, spliced);
    }

    private static (List<Result> Records, long[] Tallies, long Spliced) RunCounting(PipelineSet set, Input[] inputs)
    {
        using var batch = Batch(inputs);
        using var runner = new PipelineRunner();
        if (runner.Apply(set, batch)) batch.SwapWith(runner.Output);
        return (Records(batch), runner.Tallies.ToArray(), runner.SplicedPasses);
    }

    [Fact]
    public void The_issue_pipeline_is_spliced_and_gives_the_writer_pass_bytes()
    {
        var (records, spliced) = Same(IssuePipeline,
            """{"project_id":"p","level":"info","message":"{\"text\":\"hi\",\"user\":\"u1@example.com\"}","metadata":{"user_id":7,"ip":"10.0.0.1","region":"eu"}}""",
            """{"message":"{\"text\":\"no address\"}","metadata":{"ip":"10.0.0.2"}}""",
            """{"message":"plain words","metadata":{"user_id":"x@y.io"}}""");
        Assert.Equal(3, spliced);
        Assert.Equal(
            """{"project_id":"p","level":"info","message":"{\"text\":\"hi\",\"user\":\"[REDACTED]\"}","metadata":{"user_id":"[REDACTED]","ip":"[REDACTED]","region":"eu"},"parsed":{"text":"hi","user":"[REDACTED]"},"env":"prod","host":"host-1","tenant_id":"org-xyz"}""",
            records[0].Json);
    }

    [Fact]
    public void Escapes_and_unicode_in_values_are_copied_or_masked_as_the_writer_pass_would()
    {
        var (records, spliced) = Same(IssuePipeline,
            """{"s":"q\"uote \\ back\nline\ttab \/slash","e":"caf\u00e9 \ud83d\ude00","raw":"café 😀","metadata":{"ip":"\u0031.2.3.4"}}""",
            """{"note":"mail a\u0040b.com now","message":"{\"t\":\"x\\\"y\",\"m\":\"c\\u0040d.org\"}"}""",
            """{"note":"é a@b.com é","other":"\"a@b.com\"","tab":"\ta@b.com\n"}""");
        Assert.Equal(3, spliced);
        Assert.DoesNotContain(records, r => r.Json.Contains("a@b.com") || r.Json.Contains("c@d.org") || r.Json.Contains("1.2.3.4"));
    }

    [Fact]
    public void An_escaped_or_odd_name_leaves_the_event_to_the_writer_pass()
    {
        var (_, spliced) = Same(IssuePipeline,
            """{"\u006dessage":"{\"k\":1}","metadata":{"ip":"1.1.1.1"}}""",
            """{"metadata":{"i\u0070":"1.1.1.1","a<b":"x@y.io"}}""",
            """{"na\"me":"a@b.com","message":"{}"}""");
        Assert.Equal(0, spliced);
    }

    [Fact]
    public void Nested_and_empty_containers_are_copied_whole_or_walked()
    {
        var (_, spliced) = Same(IssuePipeline,
            """{"a":{},"b":[],"c":[[],{},[{}]],"metadata":{},"message":"{\"e\":{},\"f\":[],\"g\":[[\"x@y.io\"],{\"h\":{\"i\":\"j@k.io\"}}]}"}""",
            """{"metadata":{"geo":{"ip":"no"},"list":[{"ip":"1.1.1.1"},{"s":"m@n.io","d":[{"x":"o@p.io"}]}],"ip":{"v4":"2.2.2.2"}}}""",
            """{"deep":[1,[2,[3,{"m":"q@r.io"}]]],"metadata":[{"ip":"3.3.3.3"},"s@t.io",[]]}""");
        Assert.Equal(3, spliced);
    }

    [Fact]
    public void Duplicate_members_keep_the_writer_pass_behaviour()
    {
        var (records, spliced) = Same(IssuePipeline,
            """{"message":"{\"a\":1}","message":"{\"b\":\"x@y.io\"}","metadata":{"ip":"1.1.1.1","ip":"2.2.2.2"},"metadata":{"ip":"3.3.3.3"}}""",
            """{"env":"dev","env":"qa","host":"h1","message":"{}"}""");
        Assert.Equal(2, spliced);
        Assert.DoesNotContain(records, r => r.Json.Contains(".1.1") || r.Json.Contains("2.2.2") || r.Json.Contains("3.3.3"));
    }

    [Fact]
    public void Masks_at_the_start_and_end_of_strings_and_whole_strings()
    {
        var (records, spliced) = Same(IssuePipeline,
            """{"a":"a@b.com","b":"x a@b.com","c":"a@b.com y","d":"a@b.com b@c.org","e":"@","f":"a@","g":"@b.com","message":"{\"u\":\"z@z.io\",\"v\":\"pre z@z.io\",\"w\":\"z@z.io post\"}"}""");
        Assert.Equal(1, spliced);
        Assert.DoesNotContain(records, r => r.Json.Contains("a@b.com") || r.Json.Contains("z@z.io"));
    }

    [Fact]
    public void A_member_removed_first_last_or_only_leaves_the_commas_right()
    {
        var (records, spliced) = Same(RemovingPipeline,
            """{"a":1,"x":2}""",
            """{"x":2,"a":1}""",
            """{"a":1}""",
            """{"x":1,"a":{"n":[1]},"y":2,"a":3,"z":"q"}""",
            """{"b":"u@v.io","a":1,"user":"someone","metadata":{"ip":"1.2.3.4"},"c":"old"}""",
            """{"a":1,"b":{"m":"w@x.io"},"message":"{\"k\":\"v\"}"}""");
        Assert.Equal(6, spliced);
        Assert.Equal("""{"x":2,"env":"****.com"}""", records[0].Json);
        Assert.Equal("""{"env":"****.com"}""", records[2].Json);
    }

    [Fact]
    public void The_parsed_value_is_spliced_when_compact_and_left_to_the_writer_pass_with_whitespace()
    {
        var (compact, spliced) = Same(IssuePipeline, """{"message":"{\"k\":\"a@b.com\",\"n\":[1,2],\"o\":{\"p\":null}}"}""");
        Assert.Equal(1, spliced);
        Assert.Contains("\"parsed\":{\"k\":\"[REDACTED]\",\"n\":[1,2],\"o\":{\"p\":null}}", compact[0].Json);
        var (spaced, notSpliced) = Same(IssuePipeline, """{"message":"{ \"k\" : \"a@b.com\", \"n\": [1, 2] }"}""");
        Assert.Equal(0, notSpliced);
        Assert.DoesNotContain("a@b.com", spaced[0].Json);
        // Whitespace but no address: the value is copied as it stands either way.
        var (kept, splicedKept) = Same(IssuePipeline, """{"message":"{ \"k\" : \"v\" }"}""");
        Assert.Equal(1, splicedKept);
        Assert.Contains("\"parsed\":{ \"k\" : \"v\" }", kept[0].Json);
    }

    [Fact]
    public void The_parsed_value_takes_its_mask_from_the_message_and_gives_the_bytes_walking_it_gives()
    {
        var (records, spliced) = Same(IssuePipeline,
            """{"message":"{\"text\":\"hi\",\"user\":\"u1@example.com\",\"cc\":[\"a@b.io x\",\"y c@d.org\"]}"}""",
            """{"message":"  {\"k@x.io\":\"v@w.io\"}  "}""",
            """{"message":"{\"a<b\":\"v@w.io\"}"}""",
            """{"message":"{\"k\":\"sp ace\", \"u\":\"v@w.io\"}"}""",
            """{"message":"\"only@string.io\""}""",
            """{"message":"{\"k\":\"no address @ here\"}"}""");
        // A name the writer might escape, or a space between tokens, beside an address: the writer pass's (as before).
        Assert.Equal(4, spliced);
        Assert.Contains("\"parsed\":{\"text\":\"hi\",\"user\":\"[REDACTED]\",\"cc\":[\"[REDACTED] x\",\"y [REDACTED]\"]}", records[0].Json);
        // An address in a name stays (names are not masked); the message string, masked whole, loses it.
        Assert.Contains("\"parsed\":{\"k@x.io\":\"[REDACTED]\"}", records[1].Json);
        Assert.Contains("\"parsed\":\"[REDACTED]\"", records[4].Json);
        Assert.Contains("\"parsed\":{\"k\":\"no address @ here\"}", records[5].Json);
    }

    [Fact]
    public void A_space_inside_or_outside_the_parsed_values_strings_is_told_apart_at_every_offset()
    {
        // Short and long strings, a space just inside or just outside one, at every offset up to 200 bytes.
        var compact = new List<string>();
        var spaced = new List<string>();
        for (int pad = 0; pad < 80; pad++)
        {
            string text = string.Concat(Enumerable.Range(0, pad).Select(i => i % 5 == 4 ? " " : "x"));
            compact.Add(Message($"{{\"t\":\"{text} \",\"u\":\"a@b.io\",\"n\":[1,\" {text}\"]}}"));
            spaced.Add(Message($"{{\"t\":\"{text}\", \"u\":\"a@b.io\"}}"));
            spaced.Add(Message($"{{\"t\":\"{text}\",\"u\":\"a@b.io\",\"n\":[1, 2]}}"));
        }
        var (records, spliced) = Same(IssuePipeline, compact.ToArray());
        Assert.Equal(compact.Count, spliced);
        Assert.All(records, r => Assert.Contains("\"u\":\"[REDACTED]\"", r.Json));
        var (_, notSpliced) = Same(IssuePipeline, spaced.ToArray());
        Assert.Equal(0, notSpliced);
    }

    // The JSON text as the message string, escaped as most writers do (quotes only; the framework would write \u0022).
    private static string Message(string json) => "{\"message\":\"" + json.Replace("\"", "\\\"") + "\"}";

    [Fact]
    public void Whitespace_between_the_walked_tokens_leaves_the_event_to_the_writer_pass()
    {
        var (_, spliced) = Same(IssuePipeline,
            """{ "message":"{}"}""",
            """{"message" :"{}"}""",
            """{"message":"{}" ,"x":1}""",
            """{"metadata":{ "ip":"1.1.1.1"}}""",
            """{"metadata":{"ip":"1.1.1.1", "l":[1,2]}}""");
        Assert.Equal(0, spliced);
        // Whitespace inside a subtree no path or pattern goes into is copied as it stands by both.
        var (_, copied) = Same(IssuePipeline, """{"other":{ "k" : [ 1 , 2 ] },"metadata":{"ip":"1.1.1.1"}}""");
        Assert.Equal(1, copied);
    }

    [Fact]
    public void A_mask_text_the_writer_would_escape_leaves_the_event_to_the_writer_pass()
    {
        var (records, spliced) = Same(IssuePipeline.Replace("patterns = [\"email\"]", "patterns = [\"email\"]\nreplacement = \"<\\\"é\\\">\""),
            """{"metadata":{"ip":"1.1.1.1"}}""",
            """{"s":"a@b.com"}""",
            """{"s":"nothing to mask"}""");
        Assert.Equal(1, spliced);
        Assert.DoesNotContain(records, r => r.Json.Contains("a@b.com") || r.Json.Contains("1.1.1.1"));
    }

    [Theory]
    [InlineData("type = \"mask\"\npaths = [\"metadata.ip\"]\npatterns = [\"email\"]")]
    [InlineData("type = \"enrich\"\nset = { env = \"prod\" }\nremove = [\"a\"]")]
    [InlineData("type = \"parse\"\nfield = \"message\"\nformat = \"json\"")]
    public void A_step_alone_is_spliced_too(string step)
    {
        var (_, spliced) = Same("[[pipelines]]\nname = \"p\"\n[[pipelines.steps]]\n" + step,
            """{"a":1,"message":"{\"u\":\"a@b.com\"}","metadata":{"ip":"1.1.1.1","s":"x@y.io"}}""",
            """{"message":"{ \"u\" : 1 }","a":[1,2],"b":"c@d.org"}""");
        Assert.Equal(2, spliced);
    }

    [Fact]
    public void Generated_events_give_the_same_bytes_spliced_as_written()
    {
        var random = new Random(1212);
        var events = new string[1500];
        for (int i = 0; i < events.Length; i++) events[i] = GenerateEvent(random, spaced: i % 10 == 0);
        long total = 0;
        foreach (var toml in (string[])[IssuePipeline, RemovingPipeline, HashingPipeline])
        {
            var (_, spliced) = Same(toml, events);
            total += spliced;
        }
        // Most events are compact: most passes must have been spliced, or this compared the writer pass with itself.
        Assert.True(total > events.Length * 3 / 2, $"only {total} passes spliced");
    }

    private static readonly string[] Names = ["message", "metadata", "level", "user", "a", "b", "c", "env", "parsed", "msg", "ip", "secret", "x y", "n", "k@x.io", "a<b"];

    private static readonly string[] Strings =
    [
        "plain", "a@b.com", "x a@b.com", "a@b.com y", "q\\\"uote", "back\\\\slash", "line\\nbreak", "\\/", "café", "😀",
        "\\u00e9", "m\\u0040n.io", "\\ud83d\\ude00", "", "@", "two a@b.com c@d.org", "tab\\t", "<&>", "p.q+r@s-t.example.org", "x@y",
    ];

    private static string GenerateEvent(Random random, bool spaced)
    {
        var sb = new StringBuilder();
        WriteObject(sb, random, 0, spaced, top: true);
        return sb.ToString();
    }

    private static void WriteObject(StringBuilder sb, Random random, int depth, bool spaced, bool top = false)
    {
        sb.Append('{');
        int count = random.Next(top ? 1 : 0, top ? 7 : 4);
        for (int i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(spaced && random.Next(3) == 0 ? " , " : ",");
            string name = Names[random.Next(Names.Length)];
            sb.Append('"').Append(name).Append('"').Append(spaced && random.Next(3) == 0 ? " : " : ":");
            if (top && name == "message" && random.Next(3) > 0) WriteMessage(sb, random);
            else WriteValue(sb, random, depth + 1, spaced);
        }
        sb.Append('}');
    }

    private static void WriteValue(StringBuilder sb, Random random, int depth, bool spaced)
    {
        int kind = random.Next(depth > 3 ? 3 : 6);
        switch (kind)
        {
            case 0:
            case 1:
                sb.Append('"').Append(Strings[random.Next(Strings.Length)]).Append('"');
                break;
            case 2:
                sb.Append(random.Next(3) switch { 0 => "12", 1 => "true", _ => "null" });
                break;
            case 3:
            case 4:
                WriteObject(sb, random, depth, spaced);
                break;
            default:
                sb.Append('[');
                int n = random.Next(4);
                for (int i = 0; i < n; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteValue(sb, random, depth + 1, spaced);
                }
                sb.Append(']');
                break;
        }
    }

    // A message holding JSON text (compact, or now and then with spaces, or broken), as a JSON string.
    private static void WriteMessage(StringBuilder sb, Random random)
    {
        var inner = new StringBuilder();
        WriteObject(inner, random, 2, spaced: random.Next(5) == 0);
        string text = inner.ToString();
        if (random.Next(8) == 0) text = text[..(text.Length / 2)];
        // Written as a string by the framework (which escapes non-ASCII too) or by hand (quotes and backslashes only).
        sb.Append(random.Next(2) == 0
            ? JsonSerializer.Serialize(text)
            : "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
    }
}
