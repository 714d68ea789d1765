using System.Text;
using Ingestd.Storage;
using Ingestd.Storage.Index;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>The block index as the real daemon writes it: killed with -9 while rotating, restarted, read with <c>ingestd read</c>.</summary>
public class SegmentIndexDaemonTests
{
    private static readonly string[] Tenants = ["idx-a", "idx-b", "idx-c"];

    // Small segments and blocks, so the daemon rotates (and writes an index) every few requests.
    private const string Config = "[storage]\nsegment_max_bytes = \"24KiB\"\nblock_max_bytes = \"8KiB\"\n";

    private static void Send(int port, int requests, int round)
    {
        using var http = new RawHttp(port);
        for (int r = 0; r < requests; r++)
        {
            string tenant = Tenants[r % Tenants.Length];
            http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, $"k{round}r{r}", 20, level: r % 2 == 0 ? "info" : "error"))));
            Assert.Equal(202, http.Receive()!.Status);
        }
    }

    [Fact]
    public void After_kill_9_every_index_fits_its_segment_and_read_by_tenant_equals_a_filtered_full_read()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        for (int round = 0; round < 3; round++)
        {
            using var daemon = DaemonProcess.Start(data, Config);
            Send(daemon.Port, 60, round);
            // Killed right after the last rotation it made: an index may be queued, half written, or done.
            daemon.Kill();
        }
        using (var daemon = DaemonProcess.Start(data, Config))
        {
            // The restarted daemon indexes, in the background, the closed segments that have none. Bounded wait.
            var segments = SegmentFormat.ListSegments(data);
            Assert.True(segments.Count > 5, $"{segments.Count} segments");
            for (int i = 0; i < 300 && segments[..^1].Any(s => !File.Exists(IndexFormat.PathFor(s))); i++) Thread.Sleep(100);
            Assert.Equal(0, daemon.Terminate());
        }

        var closed = SegmentFormat.ListSegments(data)[..^1];
        using var reader = new BlockReader();
        foreach (var segment in closed)
        {
            // Whatever the kills interrupted, an index on disk is exactly the one reading the segment gives.
            Assert.True(File.Exists(IndexFormat.PathFor(segment)), segment);
            Assert.Equal(SegmentIndexer.Build(segment, reader, CancellationToken.None, out _), File.ReadAllBytes(IndexFormat.PathFor(segment)));
        }
        Assert.DoesNotContain(Directory.GetFiles(data), f => IndexFormat.IsTempName(Path.GetFileName(f)));

        var all = IngestdCli.ReadRecords(data).Select(r => r.GetRawText()).ToList();
        Assert.Equal(3 * 60 * 20, all.Count);
        foreach (var tenant in Tenants)
        {
            var expected = IngestdCli.ReadRecords(data).Where(r => r.GetProperty("tenant").GetString() == tenant
                && r.GetProperty("level").GetString() == "error").Select(r => r.GetRawText()).ToList();
            var indexed = IngestdCli.ReadRecords(data, "--tenant", tenant, "--level", "ERROR").Select(r => r.GetRawText()).ToList();
            Assert.NotEmpty(indexed);
            Assert.Equal(expected, indexed);
        }
        var verify = IngestdCli.Run("verify", "--reindex", "--data-dir", data);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
        Assert.DoesNotContain("index: rebuilt", verify.Stdout);
    }
}
