using System.Text.Json;
using Ingestd.Config;
using Ingestd.Parsing.Records;
using Ingestd.Processing;
using Ingestd.Tests.Support;
using static Ingestd.Tests.Processing.PipelineHarness;

namespace Ingestd.Tests.Processing;

/// <summary>The README's worked example and the example config's pipeline keys, as written there.</summary>
public class WorkedExampleTests
{
    private static string ReadmeExample()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int section = readme.IndexOf("**Worked example.**", StringComparison.Ordinal);
        int start = readme.IndexOf("```toml\n", section, StringComparison.Ordinal) + "```toml\n".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    private static Input Payment(string txn, string level, string card = "4111111111111111")
        => new($$$"""{"timestamp":"2025-02-12T14:32:15Z","source":"payments-app","level":"{{{level}}}","event":{"transactionId":"{{{txn}}}","card":"{{{card}}}","amount":499}}""",
            Level: "", Service: "payments-app", Tenant: "org-xyz", Dialect: Dialect.Streams, Stream: "checkout");

    [Fact]
    public void Readme_example_masks_the_card_adds_the_team_drops_debug_and_samples_info_by_transaction()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("teams.csv"), "service,team\npayments-app,payments\n");
        var set = Compile(ReadmeExample(), dir.Path);

        var warn = Assert.Single(Run(set, Payment("txn_30921", "warn")));
        var ev = JsonDocument.Parse(warn.Json).RootElement;
        Assert.Equal("****1111", ev.GetProperty("event").GetProperty("card").GetString());
        Assert.Equal("payments", ev.GetProperty("team").GetString());

        Assert.Empty(Run(set, Payment("txn_1", "debug")));

        var info = Enumerable.Range(0, 300).Select(i => Payment($"txn_{i}", "info")).ToArray();
        var kept = Run(set, info);
        Assert.InRange(kept.Count, 10, 60);
        Assert.Equal(kept.Select(k => k.Json), Run(set, info).Select(k => k.Json));
    }

    [Fact]
    public void Example_config_pipeline_block_compiles_when_uncommented()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "ingestd.conf.example"));
        int header = Array.FindIndex(lines, l => l.StartsWith("# [processing]", StringComparison.Ordinal));
        Assert.True(header >= 0, "the example documents the pipeline keys");
        var block = lines.Skip(header).Select(l => l.StartsWith("# ", StringComparison.Ordinal) ? l[2..] : l == "#" ? "" : l);

        using var dir = new TempDir();
        File.WriteAllText(dir.File("teams.csv"), "service,team\npayments-app,payments\n");
        var config = ConfigLoader.Parse(string.Join('\n', block), dir.File("ingestd.conf"));
        var set = PipelineCompiler.Compile(config);
        Assert.Equal(["parse", "parse", "mask", "enrich", "filter", "sample", "route"], Assert.Single(set.Pipelines).Steps.Select(s => s.Type));
    }
}
