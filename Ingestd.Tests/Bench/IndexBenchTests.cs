using Ingestd.Bench.Index;

namespace Ingestd.Tests.Bench;

public class IndexBenchTests
{
    [Fact]
    public void The_index_bench_runs_end_to_end_and_finds_the_same_records_with_and_without_the_index()
    {
        // Small: two hours of data, one round. The bench throws when the indexed and unindexed answers differ.
        var output = new StringWriter();
        Assert.Equal(0, IndexBenchCommand.Run(["--hours", "2", "--events-per-hour", "4000", "--tenants", "5", "--rounds", "1"], output));
        Assert.Contains("blocks decompressed", output.ToString());
        Assert.Contains("full scan, no index", output.ToString());
    }
}
