using Ingestd.Tests.Support;
using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>The enrich step: set, add, rename, remove, host, receive time, tenant, stream, lookups; header fields.</summary>
public class EnrichStepTests
{
    private static string Toml(string settings) => $$"""
        [[pipelines]]
        name = "p"
        [[pipelines.steps]]
        type = "enrich"
        {{settings}}
        """;

    [Fact]
    public void Set_adds_members_and_overwrites_existing_ones()
        => Assert.Equal("""{"env":"prod","a":1,"team":"payments","n":2}""",
            One(Toml("""set = { env = "prod", team = "payments", n = 2 }"""), """{"env":"dev","a":1}"""));

    [Fact]
    public void Set_and_mask_find_a_top_level_member_whatever_its_name_and_the_names_beside_it()
    {
        // The rewrite passes skip top-level members no path can start at by a filter over name length and first and
        // last byte: names of many lengths and ends, beside names that share some of those, must all still be found.
        var random = new Random(12);
        const string letters = "abyzAZ09_-$é";
        for (int i = 0; i < 300; i++)
        {
            string name = string.Concat(Enumerable.Range(0, random.Next(1, 24)).Select(_ => letters[random.Next(letters.Length)]));
            string near = name.Length > 1 ? name[..^1] + "x" : name + "x";
            string json = $$"""{"{{near}}":1,"{{name}}":"old","{{name}}{{name}}":2}""";
            Assert.Equal($$"""{"{{near}}":1,"{{name}}":"new","{{name}}{{name}}":2}""", One(Toml($$"""set = { "{{name}}" = "new" }"""), json));
            Assert.Equal($$"""{"{{near}}":1,"{{name}}":"[REDACTED]","{{name}}{{name}}":2}""", One($$"""
                [[pipelines]]
                name = "p"
                [[pipelines.steps]]
                type = "mask"
                paths = ["{{name}}"]
                """, json));
        }
    }

    [Fact]
    public void Add_keeps_an_existing_value()
        => Assert.Equal("""{"env":"dev"}""", One(Toml("""add = { env = "prod" }"""), """{"env":"dev"}"""));

    [Fact]
    public void Set_creates_missing_objects_once_for_shared_parents()
        => Assert.Equal("""{"a":1,"geo":{"city":"Oslo","country":"NO"}}""",
            One(Toml("""set = { "geo.city" = "Oslo", "geo.country" = "NO" }"""), """{"a":1}"""));

    [Fact]
    public void Set_goes_into_an_existing_object()
        => Assert.Equal("""{"meta":{"x":1,"team":"t"}}""", One(Toml("""set = { "meta.team" = "t" }"""), """{"meta":{"x":1}}"""));

    [Fact]
    public void Rename_moves_the_value()
        => Assert.Equal("""{"b":2,"user":{"id":7}}""", One(Toml("""rename = { "uid" = "user.id" }"""), """{"uid":7,"b":2}"""));

    [Fact]
    public void Remove_drops_members()
        => Assert.Equal("""{"a":1,"x":{}}""", One(Toml("""remove = ["debug", "x.y"]"""), """{"a":1,"debug":{"k":2},"x":{"y":3}}"""));

    [Fact]
    public void Host_tenant_stream_and_receive_time_are_added()
    {
        var r = Assert.Single(Run(Compile(Toml("""
            add_host = "host"
            add_tenant = "tenant_id"
            add_stream = "stream_id"
            add_received_at = "received_at"
            """)), new PipelineHarness.Input("""{"a":1}""", Stream: "s-9")));
        Assert.Equal("""{"a":1,"host":"host-1","received_at":"2023-11-14T22:13:20.123456789Z","tenant_id":"org-xyz","stream_id":"s-9"}""", r.Json);
    }

    [Fact]
    public void Setting_service_or_level_sets_the_record_header_not_the_json()
    {
        var r = Assert.Single(Run(Compile(Toml("""set = { service = "billing", level = "warn" }""")), new PipelineHarness.Input("""{"a":1}""")));
        Assert.Equal(("billing", "warn", """{"a":1}"""), (r.Service, r.Level, r.Json));
    }

    [Fact]
    public void Lookup_adds_columns_of_the_csv_row_keyed_by_a_field()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "teams.csv"), "service,team,owner\npayments,payments-team,\"Ann, B\"\napi,platform,Joe\n");
        var set = Compile(Toml("""lookup = { file = "teams.csv", key = "service", columns = ["team", "owner"] }"""), dir.Path);
        var r = Run(set, new PipelineHarness.Input("""{"a":1}""", Service: "payments"), new PipelineHarness.Input("""{"a":2}""", Service: "unknown"));
        Assert.Equal("""{"a":1,"team":"payments-team","owner":"Ann, B"}""", r[0].Json);
        Assert.Equal("""{"a":2}""", r[1].Json);
    }

    [Fact]
    public void Lookup_keys_match_their_text_exactly_also_beyond_ascii()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "sites.csv"), "site,region\nzürich,eu\nZürich,other\n東京,ap\n");
        var set = Compile(Toml("""lookup = { file = "sites.csv", key = "site", columns = ["region"] }"""), dir.Path);
        var r = Run(set, new PipelineHarness.Input("""{"site":"zürich"}"""), new PipelineHarness.Input("""{"site":"東京"}"""),
            new PipelineHarness.Input("""{"site":"zurich"}"""), new PipelineHarness.Input("""{"site":"z\u00fcrich"}"""));
        Assert.Equal("""{"site":"zürich","region":"eu"}""", r[0].Json);
        Assert.Equal("""{"site":"東京","region":"ap"}""", r[1].Json);
        Assert.Equal("""{"site":"zurich"}""", r[2].Json);
        Assert.Equal("""{"site":"z\u00fcrich","region":"eu"}""", r[3].Json);
    }

    // Removal skips events where the name provably does not occur; an escaped name must not hide it.
    [Fact]
    public void A_member_whose_name_is_escaped_is_removed()
        => Assert.Equal("""{"a":1}""", One(Toml("""remove = ["debug"]"""), """{"a":1,"\u0064ebug":2}"""));
}
