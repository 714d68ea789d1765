using Ingestd.Config;
using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>[[pipelines]] config errors name the file, line, pipeline, step and key; secrets are never echoed.</summary>
public class PipelineConfigTests
{
    private static string Error(string toml) => Assert.Throws<ConfigException>(() => Compile(toml)).Message;

    [Fact]
    public void An_unknown_step_type_is_refused()
        => Assert.EndsWith("ingestd-test.conf:4: pipelines[0] 'p' step 1: unknown step type \"frobnicate\" (parse, mask, enrich, filter, sample, route)", Error("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "frobnicate"
            """));

    [Fact]
    public void An_unknown_step_key_is_refused_by_name()
        => Assert.EndsWith(":5: unknown key 'pipelines[0] 'p' step 1 (filter).drop_when' (drop_if, keep_if, name, if)", Error("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "filter"
            drop_when = "level == 'debug'"
            """));

    [Fact]
    public void A_bad_condition_names_its_column()
        => Assert.EndsWith(":5: pipelines[0] 'p' step 1 (filter).drop_if: column 7: '=' is not an operator; use '=='", Error("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "filter"
            drop_if = "level = 'debug'"
            """));

    [Fact]
    public void An_unknown_match_key_is_refused()
        => Assert.Contains("unknown key 'pipelines[0].match.host'", Error("""
            [[pipelines]]
            name = "p"
            match = { host = "x" }
            [[pipelines.steps]]
            type = "route"
            routes = ["a"]
            """));

    [Fact]
    public void A_hash_mask_without_a_key_is_refused()
        => Assert.Contains("action \"hash\" needs a key", Error("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "mask"
            paths = ["card"]
            action = "hash"
            """));

    [Fact]
    public void A_short_hash_key_is_refused_without_echoing_it()
    {
        string message = Error("""
            [processing]
            mask_hash_key = "tiny-secret"
            """);
        Assert.Contains("processing.mask_hash_key: must be at least 16 bytes", message);
        Assert.DoesNotContain("tiny-secret", message);
    }

    [Fact]
    public void A_missing_lookup_file_is_refused()
        => Assert.Contains("cannot read lookup file", Error("""
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "enrich"
            lookup = { file = "/nonexistent/teams.csv", key = "service" }
            """));
}
