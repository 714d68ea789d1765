using Ingestd.Parsing.Processing;
using Ingestd.Parsing.Records;
using Ingestd.Tests.Support;
using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>
/// Consecutive rewriting steps fused into one pass (RewriteRun) give exactly what the steps give one after another: the
/// same bytes, header fields and routes, and the same per-step outcomes. Each case runs its pipeline both ways.
/// </summary>
public class FusionTests
{
    // Events that exercise the interactions: e-mail addresses in strings and in a message holding JSON, whitespace and
    // escaped names (kept or dropped by a pass), members later steps overwrite, a parse failure, a missing field,
    // a non-object event and broken JSON.
    private static readonly string[] Events =
    [
        """{"message":"{\"user\":\"a@b.com\",\"password\":\"pw\",\"n\":1}","metadata":{"ip":"1.2.3.4","x":1},"level":"info"}""",
        """{ "message" : "{ \"user\" : \"x\", \"deep\" : { \"k\" : 1 } }", "metadata" : { "ip" : "1.2.3.4" , "note" : "mail c@d.org", "geo" : { "c" : [ 1, { "d" : 2 } ] } }, "deep" : { "a" : [ { "b" : 1 } ] } }""",
        """{"message":"not json","parsed":{"old":1},"env":"dev"}""",
        """{"other":1,"metadata":{"nested":{ "spaced" : "a @ b" }}}""",
        """{"message":"{}","env":"someone@x.io","team":{"a":"z@z.zz"},"contact":"old","who":"w@w.io"}""",
        """{"\u006dessage":"{\"k\":\"v\"}","meta\u0064ata":{"ip":"9.9.9.9"},"user":"u@u.io"}""",
        """[1,2]""",
        """{"message":"{\"a\":1}", "bad": }""",
        """{"user":{"name":"n","mail":"m@m.io"},"metadata":[{"ip":"1.1.1.1"},{"ip":"2.2.2.2","s":"q@q.io"}]}""",
    ];

    private static string Toml(string steps) => $$"""
        [[pipelines]]
        name = "p"
        {{steps}}
        """;

    private static Input[] Inputs(params string[] levels) => Inputs(Events, levels);

    private static Input[] Inputs(string[] events, params string[] levels)
    {
        var list = new List<Input>();
        foreach (var level in levels.Length == 0 ? ["info"] : levels)
            foreach (var e in events) list.Add(new Input(e, Level: level, Service: "api"));
        return list.ToArray();
    }

    private static (List<Result> Records, long[] Tallies) RunWithTallies(PipelineSet set, Input[] inputs)
    {
        using var batch = Batch(inputs);
        using var runner = new PipelineRunner();
        if (runner.Apply(set, batch)) batch.SwapWith(runner.Output);
        return (Records(batch), runner.Tallies.ToArray());
    }

    /// <summary>Runs the pipeline fused and unfused over the events; asserts equal records and tallies; the fused set.</summary>
    private static (List<Result> Records, PipelineSet Set) Same(string steps, string? directory = null, params string[] levels)
        => Same(steps, Events, directory, levels);

    private static (List<Result> Records, PipelineSet Set) Same(string steps, string[] events, string? directory = null, params string[] levels)
    {
        var fused = Compile(Toml(steps), directory);
        var inputs = Inputs(events, levels);
        var (records, tallies) = RunWithTallies(fused, inputs);
        var (alone, aloneTallies) = RunWithTallies(fused.WithoutFusion(), inputs);
        Assert.Equal(alone, records);
        Assert.Equal(aloneTallies, tallies);
        return (records, fused);
    }

    private static int RunLength(PipelineSet set, int step = 0) => set.Pipelines[0].Runs?[step]?.Length ?? 1;

    private const string IssuePipeline = """
        [[pipelines.steps]]
        type = "parse"
        field = "message"
        format = "json"
        [[pipelines.steps]]
        type = "mask"
        paths = ["metadata.ip", "parsed.password"]
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

    [Fact]
    public void The_issue_pipeline_shares_one_pass_and_gives_the_same_events()
    {
        var (records, set) = Same(IssuePipeline, levels: ["info", "debug"]);
        Assert.Equal(3, RunLength(set));
        Assert.DoesNotContain(records, r => r.Json.Contains("a@b.com") || r.Json.Contains("\"pw\""));
    }

    [Fact]
    public void A_static_value_set_before_a_mask_is_masked_as_the_mask_would()
    {
        var (records, set) = Same("""
            [[pipelines.steps]]
            type = "enrich"
            set = { contact = "ops@example.com", "deep.mail" = "x@example.com" }
            [[pipelines.steps]]
            type = "mask"
            patterns = ["email"]
            """);
        Assert.Equal(2, RunLength(set));
        Assert.DoesNotContain(records, r => r.Json.Contains("@example.com"));
    }

    [Fact]
    public void A_value_copied_before_a_mask_and_a_rename_onto_a_masked_name_go_through_the_mask()
    {
        var (records, set) = Same("""
            [[pipelines.steps]]
            type = "enrich"
            rename = { "user" = "who" }
            add_tenant = "tenant_id"
            [[pipelines.steps]]
            type = "mask"
            paths = ["who", "tenant_id", "who.mail"]
            action = "partial"
            """);
        Assert.Equal(2, RunLength(set));
        Assert.DoesNotContain(records, r => r.Json.Contains("org-xyz") || r.Json.Contains("u@u.io"));
    }

    [Fact]
    public void A_set_after_a_mask_over_members_the_mask_changes_counts_both_steps()
        => Assert.Equal(2, RunLength(Same("""
            [[pipelines.steps]]
            type = "mask"
            paths = ["contact", "team.a"]
            patterns = ["email"]
            [[pipelines.steps]]
            type = "enrich"
            set = { env = "prod", contact = "c", team = "t", who = "me" }
            """).Set));

    [Fact]
    public void A_remove_after_a_mask_counts_both_steps()
        => Assert.Equal(2, RunLength(Same("""
            [[pipelines.steps]]
            type = "mask"
            paths = ["metadata.ip"]
            patterns = ["email"]
            [[pipelines.steps]]
            type = "enrich"
            remove = ["metadata", "env", "*.mail"]
            """).Set));

    [Fact]
    public void A_remove_then_a_set_of_the_same_member_is_not_fused()
        => Assert.Equal(1, RunLength(Same("""
            [[pipelines.steps]]
            type = "enrich"
            remove = ["env"]
            [[pipelines.steps]]
            type = "enrich"
            set = { "env.x" = 1 }
            """).Set));

    [Fact]
    public void A_filter_between_rewrites_ends_the_run()
    {
        var (_, set) = Same("""
            [[pipelines.steps]]
            type = "parse"
            field = "message"
            format = "json"
            [[pipelines.steps]]
            type = "filter"
            drop_if = "parsed.k == 'v'"
            [[pipelines.steps]]
            type = "enrich"
            set = { env = "prod" }
            """);
        Assert.Null(set.Pipelines[0].Runs);
    }

    [Fact]
    public void A_condition_on_a_member_an_earlier_step_sets_is_not_fused()
        => Assert.Equal(1, RunLength(Same("""
            [[pipelines.steps]]
            type = "enrich"
            set = { flag = "on" }
            [[pipelines.steps]]
            type = "enrich"
            set = { x = 1 }
            if = "flag == 'on'"
            """).Set));

    [Fact]
    public void A_member_read_after_a_mask_pattern_is_not_fused()
        => Assert.Equal(1, RunLength(Same("""
            [[pipelines.steps]]
            type = "mask"
            patterns = ["email"]
            [[pipelines.steps]]
            type = "enrich"
            rename = { "env" = "environment" }
            """).Set));

    [Fact]
    public void A_mask_over_an_object_another_step_changes_inside_is_not_fused()
    {
        Assert.Equal(1, RunLength(Same("""
            [[pipelines.steps]]
            type = "mask"
            paths = ["metadata"]
            [[pipelines.steps]]
            type = "enrich"
            set = { "metadata.x" = 1 }
            """).Set));
        Assert.Equal(1, RunLength(Same("""
            [[pipelines.steps]]
            type = "enrich"
            remove = ["metadata.ip"]
            [[pipelines.steps]]
            type = "mask"
            paths = ["metadata"]
            action = "hash"
            key = "0123456789abcdef0123"
            """).Set));
    }

    // A pass that changes nothing is discarded, so a subtree only such a step went into keeps its whitespace.
    [Fact]
    public void Subtrees_keep_their_text_as_the_steps_alone_would_leave_it()
    {
        Assert.Equal(2, RunLength(Same("""
            [[pipelines.steps]]
            type = "enrich"
            remove = ["deep.a.zzz", "metadata.nested.none"]
            [[pipelines.steps]]
            type = "enrich"
            set = { top = 1 }
            """).Set));
        Assert.Equal(2, RunLength(Same("""
            [[pipelines.steps]]
            type = "mask"
            patterns = ["email"]
            [[pipelines.steps]]
            type = "enrich"
            set = { top = 1, "metadata.team" = "t" }
            """).Set));
        Assert.Equal(2, RunLength(Same("""
            [[pipelines.steps]]
            type = "enrich"
            remove = ["metadata.note"]
            [[pipelines.steps]]
            type = "mask"
            patterns = ["email"]
            """).Set));
    }

    [Fact]
    public void A_header_set_by_an_earlier_step_is_seen_by_a_later_lookup()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "teams.csv"), "service,team\npayments,payments-team\napi,platform\n");
        var (records, set) = Same("""
            [[pipelines.steps]]
            type = "enrich"
            set = { service = "payments" }
            [[pipelines.steps]]
            type = "enrich"
            lookup = { file = "teams.csv", key = "service", columns = ["team"] }
            """, dir.Path);
        Assert.Equal(2, RunLength(set));
        Assert.Contains(records, r => r.Json.Contains("payments-team") && r.Service == "payments");
    }

    [Fact]
    public void Steps_whose_condition_fails_are_left_out_of_the_shared_pass()
        => Assert.Equal(3, RunLength(Same("""
            [[pipelines.steps]]
            type = "parse"
            field = "message"
            format = "json"
            [[pipelines.steps]]
            type = "mask"
            patterns = ["email"]
            paths = ["parsed.user"]
            if = "level == 'error'"
            [[pipelines.steps]]
            type = "enrich"
            remove = ["metadata.x"]
            set = { env = "prod" }
            if = "level != 'warn'"
            """, levels: ["info", "error", "warn"]).Set));

    [Fact]
    public void A_parse_after_a_mask_of_other_members_shares_the_pass()
        => Assert.Equal(3, RunLength(Same("""
            [[pipelines.steps]]
            type = "mask"
            paths = ["metadata.ip"]
            [[pipelines.steps]]
            type = "parse"
            field = "message"
            format = "json"
            target = "metadata.parsed"
            [[pipelines.steps]]
            type = "enrich"
            set = { "metadata.team" = "t" }
            """).Set));

    // Where a parse step's field is met by the pass that parses it: after its target or error member, twice, as another
    // kind of value, under an escaped name, with a surrogate escape, behind leading whitespace, after broken JSON, absent.
    private static readonly string[] FieldPlaces =
    [
        """{"parsed":{"old":1},"message":"{\"k\":\"a@b.com\"}","metadata":{"ip":"1.2.3.4"}}""",
        """{"_parse_error":"old","message":"not json","metadata":{"ip":"1.2.3.4"}}""",
        """{"_parse_error":"old","message":"{\"k\":1}"}""",
        """{"message":"{\"first\":1}","message":"{\"second\":2}","parsed":0}""",
        """{"message":{"k":"a@b.com"},"message":"{\"k\":2}"}""",
        """{"message":12,"metadata":{"ip":"1.2.3.4"}}""",
        """{"m\u0065ssage":"{\"k\":\"\ud83d\ude00 c@d.org\"}","parsed":"old"}""",
        """{"message":"{\"k\":\"\ud83d\ude00 \\u00e9 e@f.io\"}"}""",
        """  {"message":"{\"k\":1}"}""",
        """{"metadata":{"ip":"1.2.3.4"}, "bad": , "message":"{}"}""",
        """{"message":"{}", "bad": }""",
        """{"metadata":{"ip":"1.2.3.4"},"level":"x"}""",
        """{"message":"{\"k\":1}","parsed":{"old":1},"_parse_error":"old"}""",
    ];

    [Fact]
    public void A_field_parsed_as_the_pass_reads_it_gives_what_locating_it_first_gives()
    {
        foreach (var steps in (string[])[Steps(Snippets[0]), Steps(Snippets[1], Snippets[0]), IssuePipeline, Steps(Snippets[0], Snippets[6]), Steps(Snippets[0], Snippets[3]), Steps(Snippets[0], Snippets[5], Snippets[9])])
        {
            var (records, set) = Same(steps, FieldPlaces, levels: ["info", "debug"]);
            var (located, locatedTallies) = RunWithTallies(set.LocatingFields(), Inputs(FieldPlaces, "info", "debug"));
            Assert.Equal(located, records);
            Assert.Equal(locatedTallies, RunWithTallies(set, Inputs(FieldPlaces, "info", "debug")).Tallies);
        }
    }

    // Steps chosen to touch the same members in every way: parse targets, masks by path, wildcard and pattern, sets,
    // renames, removes, header sets and conditions.
    private static readonly string[] Snippets =
    [
        "type = \"parse\"\nfield = \"message\"\nformat = \"json\"",
        "type = \"parse\"\nfield = \"message\"\nformat = \"json\"\ntarget = \"metadata.p\"",
        "type = \"mask\"\npatterns = [\"email\"]",
        "type = \"mask\"\npaths = [\"metadata.ip\", \"parsed.password\"]",
        "type = \"mask\"\npaths = [\"metadata\"]\naction = \"hash\"\nkey = \"0123456789abcdef0123\"",
        "type = \"mask\"\npaths = [\"*.mail\", \"parsed\"]\npatterns = [\"email\"]\naction = \"partial\"",
        "type = \"enrich\"\nset = { env = \"prod\", contact = \"ops@example.com\" }",
        "type = \"enrich\"\nset = { \"metadata.team\" = \"t\", \"deep.mail\" = \"x@y.zz\" }",
        "type = \"enrich\"\nrename = { \"user\" = \"who\" }",
        "type = \"enrich\"\nremove = [\"metadata.ip\", \"*.mail\"]",
        "type = \"enrich\"\nadd_tenant = \"tenant_id\"\nset = { service = \"payments\" }",
        "type = \"enrich\"\nset = { flagged = 1 }\nif = \"$.env == 'dev' or service == 'payments'\"",
        "type = \"enrich\"\nremove = [\"env\"]\nadd = { \"parsed.extra\" = 1 }",
    ];

    [Fact]
    public void Every_pair_and_triple_of_these_steps_gives_the_same_events_fused_and_alone()
    {
        int fused = 0;
        foreach (var a in Snippets)
            foreach (var b in Snippets)
            {
                fused += RunLength(Same(Steps(a, b)).Set) - 1;
                foreach (var c in Snippets) fused += RunLength(Same(Steps(a, b, c)).Set) - 1;
            }
        // Most combinations do share a pass (else this would test little).
        Assert.True(fused > 300, $"only {fused} steps joined a run");
    }

    private static string Steps(params string[] steps) => string.Concat(steps.Select(s => "[[pipelines.steps]]\n" + s + "\n"));
}
