using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>A request bigger than half the ring (here many times the ring) is stored whole, split into several ring entries.</summary>
public class LargeRequestTests
{
    // 64 KiB is the smallest ring: one entry may hold at most ~32 KiB of records.
    private const string TinyRing = """
        [storage]
        ring_bytes = "64KiB"
        """;

    [Fact]
    public void A_one_megabyte_request_through_a_64KiB_ring_is_accepted_and_reads_back_identical_and_in_order()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        const string tenant = "large", tag = "big";
        const int events = 5000;
        var body = Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, tag, events));
        Assert.True(body.Length > 1_000_000);

        using (var daemon = DaemonProcess.Start(data, TinyRing))
        {
            using var http = new RawHttp(daemon.Port);
            http.Send(DrainBodies.Request(body));
            var reply = http.Receive()!;
            Assert.True(reply.Status == 202, reply.Status + " " + reply.Body);
            Assert.Equal(0, daemon.Terminate());
        }

        var stored = IngestdCli.ReadRecords(data, "--tenant", tenant).Select(r => r.GetProperty("event").GetRawText()).ToList();
        Assert.Equal(Enumerable.Range(0, events).Select(i => DrainBodies.Event(tenant, tag, i)), stored);
    }

    [Fact]
    public void One_event_larger_than_half_the_ring_is_413_and_nothing_of_its_request_is_stored()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        var small = DrainBodies.Event("huge", "small", 0);
        var huge = "{\"project_id\":\"huge\",\"timestamp\":\"2024-05-31T15:30:45Z\",\"level\":\"info\",\"service\":\"s\",\"message\":\""
                   + new string('x', 40_000) + "\"}";
        var body = Encoding.UTF8.GetBytes("{\"events\":[" + small + "," + huge + "]}");

        using (var daemon = DaemonProcess.Start(data, TinyRing))
        {
            using var http = new RawHttp(daemon.Port);
            http.Send(DrainBodies.Request(body));
            var reply = http.Receive()!;
            Assert.Equal(413, reply.Status);
            Assert.Equal("one event is larger than the ring can take (ring_bytes / 2)",
                JsonDocument.Parse(reply.Body).RootElement.GetProperty("detail").GetString());
            Assert.Equal(0, daemon.Terminate());
        }

        Assert.Empty(IngestdCli.ReadRecords(data, "--tenant", "huge"));
    }
}
