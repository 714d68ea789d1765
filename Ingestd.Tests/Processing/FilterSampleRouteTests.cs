using Ingestd.Parsing.Processing;
using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>The filter, sample and route steps, and how pipelines are matched and chained.</summary>
public class FilterSampleRouteTests
{
    private static Input Level(string level, string json = """{"a":1}""") => new(json, Level: level);

    [Fact]
    public void Drop_if_leaves_out_the_events_it_holds_for()
    {
        var set = Compile("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "filter"
            drop_if = "level == 'debug'"
            """);
        var r = Run(set, Level("debug"), Level("info"), Level("debug"));
        Assert.Equal(["info"], r.Select(x => x.Level));
    }

    [Fact]
    public void Keep_if_keeps_only_the_events_it_holds_for()
    {
        var set = Compile("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "filter"
            keep_if = "level in ['error', 'warn']"
            """);
        Assert.Equal(["warn"], Run(set, Level("debug"), Level("warn")).Select(x => x.Level));
    }

    private static PipelineSet Sampling(string extra = "") => Compile($$"""
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "sample"
        rate = 10
        key = "txn"
        {{extra}}
        """);

    private static Input[] Transactions(int count, int eventsEach, string level = "info")
        => Enumerable.Range(0, count).SelectMany(t => Enumerable.Repeat(new Input($$"""{"txn":"txn_{{t}}"}""", Level: level), eventsEach)).ToArray();

    [Fact]
    public void Sampling_by_key_keeps_or_drops_all_events_of_a_key_together()
    {
        var kept = Run(Sampling(), Transactions(200, 3));
        Assert.All(kept.GroupBy(r => r.Json), g => Assert.Equal(3, g.Count()));
        Assert.InRange(kept.Count / 3, 5, 45);
    }

    [Fact]
    public void Sampling_by_key_chooses_the_same_keys_every_time()
        => Assert.Equal(Run(Sampling(), Transactions(100, 1)).Select(r => r.Json), Run(Sampling(), Transactions(100, 1)).Select(r => r.Json));

    [Fact]
    public void Sampling_without_a_key_keeps_one_in_rate()
    {
        var set = Compile("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "sample"
            rate = 4
            """);
        Assert.Equal(25, Run(set, Enumerable.Range(0, 100).Select(i => Level("info")).ToArray()).Count);
    }

    [Fact]
    public void Sampling_without_a_key_counts_across_connections()
    {
        var set = Compile("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "sample"
            rate = 4
            """);
        // Two connections' runners, two events each: one counter for the step keeps 1 of the 4, not the first of each.
        int kept = 0;
        for (int i = 0; i < 2; i++)
        {
            kept += Run(set, Level("info"), Level("info")).Count;
        }
        Assert.Equal(1, kept);
    }

    [Fact]
    public void Always_keep_events_are_never_sampled_out()
        => Assert.Equal(200, Run(Sampling("always_keep = \"level in ['error', 'fatal']\""), Transactions(200, 1, "error")).Count);

    [Fact]
    public void Route_tags_the_event_and_no_route_is_the_default()
    {
        var set = Compile("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "route"
            routes = ["store", "alerts"]
            if = "level == 'error'"
            """);
        var r = Run(set, Level("error"), Level("info"));
        Assert.Equal(["store,alerts", ""], r.Select(x => x.Routes));
    }

    [Fact]
    public void A_batch_no_pipeline_matches_is_left_untouched()
    {
        var set = Compile("""
            [[pipelines]]
            name = "p"
            match = { tenant = "someone-else" }
            [[pipelines.steps]]
            type = "filter"
            drop_if = "true"
            """);
        using var batch = Batch(Level("info"));
        using var runner = new Ingestd.Parsing.Processing.PipelineRunner();
        Assert.False(runner.Apply(set, batch));
    }

    [Fact]
    public void Events_a_pipeline_does_not_match_are_kept_as_they_are()
    {
        var set = Compile("""
            [[pipelines]]
            name = "p"
            match = { service = "payments", level = ["debug", "info"] }
            [[pipelines.steps]]
            type = "filter"
            drop_if = "true"
            """);
        var r = Run(set, new Input("""{"k":1}""", Service: "payments"), new Input(""" {"k":2} """, Service: "api"), new Input("""{"k":3}""", Service: "payments", Level: "error"));
        Assert.Equal([""" {"k":2} """, """{"k":3}"""], r.Select(x => x.Json));
    }

    [Fact]
    public void The_first_matching_pipeline_wins_unless_it_continues()
    {
        const string second = """
            [[pipelines]]
            name = "b"
            [[pipelines.steps]]
            type = "enrich"
            set = { b = 2 }
            """;
        string First(bool cont) => $$"""
            [[pipelines]]
            name = "a"
            continue = {{(cont ? "true" : "false")}}
            [[pipelines.steps]]
            type = "enrich"
            set = { a = 1 }
            """;
        Assert.Equal("""{"a":1}""", One(First(false) + "\n" + second, "{}"));
        Assert.Equal("""{"a":1,"b":2}""", One(First(true) + "\n" + second, "{}"));
    }
}
