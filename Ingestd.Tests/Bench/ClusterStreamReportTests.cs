using System.Text;
using Ingestd.Bench.Cluster;

namespace Ingestd.Tests.Bench;

/// <summary>
/// The cluster test's verdict (<c>Ingestd.Bench cluster check</c>): what it counts as lost, as a duplicate, and as
/// a shipper replay, so a green <c>scripts/cluster-test.sh</c> means what its line says.
/// </summary>
public class ClusterStreamReportTests
{
    private static (string, byte[]) Message(string id, string marker)
        => (id, Encoding.UTF8.GetBytes($"{{\"seq\":1,\"id\":\"{id}\",\"event\":{{\"message\":\"{marker}\"}}}}"));

    [Fact]
    public void An_acknowledged_event_missing_from_the_stream_is_lost_and_fails_the_check()
    {
        var report = StreamReport.Build([Message("node-1-0", "b.0")], ["b.0", "b.1"]);
        Assert.Equal("cluster: acknowledged 2, in stream 1, duplicates after dedupe 0, lost 1", report.Summary);
        Assert.False(report.Passed);
    }

    [Fact]
    public void One_event_id_stored_twice_is_a_duplicate_after_dedupe_and_fails_the_check()
    {
        var report = StreamReport.Build([Message("node-1-0", "b.0"), Message("node-1-0", "b.0")], ["b.0"]);
        Assert.Equal("cluster: acknowledged 1, in stream 1, duplicates after dedupe 1, lost 0", report.Summary);
        Assert.False(report.Passed);
    }

    [Fact]
    public void One_marker_under_two_ids_is_a_shipper_replay_reported_but_not_a_failure()
    {
        var report = StreamReport.Build([Message("node-1-0", "b.0"), Message("node-2-7", "b.0"), Message("node-2-8", "c.0")], ["b.0"]);
        Assert.Equal("cluster: acknowledged 1, in stream 1, duplicates after dedupe 0, lost 0", report.Summary);
        Assert.Equal(1, report.Replays);
        Assert.Equal(1, report.UnackedInStream);
        Assert.True(report.Passed);
    }

    [Fact]
    public void A_message_whose_data_id_differs_from_its_Nats_Msg_Id_fails_the_check()
    {
        var (_, data) = Message("node-1-0", "b.0");
        var report = StreamReport.Build([("node-1-9", data)], ["b.0"]);
        Assert.Equal(1, report.IdMismatches);
        Assert.False(report.Passed);
    }
}
