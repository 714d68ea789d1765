using Ingestd.Outputs.Destinations;

namespace Ingestd.Tests.Outputs;

/// <summary>The names of the parquet_files tree: partitions a tenant cannot escape from, part names that parse back.</summary>
public class HiveLayoutTests
{
    [Theory]
    [InlineData("acme", "acme")]
    [InlineData("org-1_a.b", "org-1_a.b")]
    [InlineData("../etc", "%2E.%2Fetc")]
    [InlineData("a/b=c d", "a%2Fb%3Dc%20d")]
    [InlineData("café", "caf%C3%A9")]
    [InlineData("", "%00")]
    public void A_tenant_becomes_one_directory_name_escaped_as_Hive_does(string tenant, string escaped)
    {
        Assert.Equal(escaped, HiveLayout.Escape(tenant));
    }

    [Fact]
    public void The_partition_is_the_date_and_hour_of_the_event_time_in_UTC()
    {
        long ns = (new DateTime(2024, 5, 31, 23, 59, 59, DateTimeKind.Utc).Ticks - DateTime.UnixEpoch.Ticks) * 100 + 999;
        Assert.Equal(Path.Combine("tenant=t", "date=2024-05-31", "hour=23"), HiveLayout.PartitionOf("t", ns));
        Assert.Equal(Path.Combine("tenant=t", "date=1969-12-31", "hour=23"), HiveLayout.PartitionOf("t", -1));
    }

    [Fact]
    public void A_part_name_gives_back_its_range_for_its_own_node_only()
    {
        string name = HiveLayout.PartName("node-a", 7, 1234);
        Assert.Equal("part-node-a-7-1234.parquet", name);
        Assert.True(HiveLayout.TryParsePart(name, "node-a", out long first, out long last));
        Assert.Equal((7L, 1234L), (first, last));
        Assert.False(HiveLayout.TryParsePart(name, "node", out _, out _));
        Assert.False(HiveLayout.TryParsePart(HiveLayout.TempName(name), "node-a", out _, out _));
        Assert.False(HiveLayout.TryParsePart("part-node-a-9-3.parquet", "node-a", out _, out _));
    }

    [Fact]
    public void A_temp_name_is_hidden_and_never_matches_the_parquet_glob()
    {
        string temp = HiveLayout.TempName("part-n-1-2.parquet");
        Assert.StartsWith(".", temp);
        Assert.False(temp.EndsWith(".parquet", StringComparison.Ordinal));
    }
}
