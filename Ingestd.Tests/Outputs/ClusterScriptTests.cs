using System.Text.RegularExpressions;
using Ingestd.Tests.Support;
using Xunit.Abstractions;

namespace Ingestd.Tests.Outputs;

/// <summary>
/// <c>scripts/cluster-test.sh</c>: two ingestd nodes behind haproxy, delivering to a 3-node JetStream cluster (R3
/// stream), with one node and the stream's leader killed (-9) and restarted under load. Every event acknowledged
/// to the shipper must be in the stream, and no event id stored twice. About 30 s. Skipped with the reason when
/// nats-server or haproxy is not installed (scripts/install-test-deps.sh installs both).
/// </summary>
public sealed partial class ClusterScriptTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_event_acknowledged_through_the_balancer_reaches_the_stream_once_across_a_node_and_a_nats_server_killed()
    {
        if (ScriptRun.Run("cluster-test.sh", "CLUSTER", SummaryLine(), 240_000, output) is not { } result) return; // skipped, with the reason printed
        var (exitCode, Count, summary, _) = result;
        Assert.True(Count("acknowledged") > 0, summary);
        Assert.Equal(Count("acknowledged"), Count("in_stream"));
        Assert.Equal(0, Count("duplicates"));
        Assert.Equal(0, Count("lost"));
        Assert.Equal(0, exitCode);
    }

    [GeneratedRegex(@"^cluster: acknowledged (?<acknowledged>\d+), in stream (?<in_stream>\d+), duplicates after dedupe (?<duplicates>\d+), lost (?<lost>\d+)$")]
    private static partial Regex SummaryLine();
}
