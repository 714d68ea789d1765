using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>The daemon on a real, small file system that fills up and empties again (tmpfs, needs root).</summary>
public class DiskFullTests
{
    private static RawHttp.Reply Post(RawHttp http, string tag, int events = 20)
    {
        http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body("full", tag, events))));
        return http.Receive()!;
    }

    private static string Metrics(int port) => RawHttp.Once(port, "GET", "/metrics", null).Body;

    [TmpfsFact]
    public void Full_disk_answers_507_with_retry_after_and_writes_resume_by_themselves_once_space_returns()
    {
        using var dir = new TempDir();
        using var fs = Tmpfs.Mount(dir.Path, "size=2m");
        var data = Path.Combine(fs.Path, "data");
        var acked = new List<string>();
        using (var daemon = DaemonProcess.Start(data, "[storage]\ndurability = \"fsync\"\nsegment_max_bytes = \"64KiB\"\n"))
        {
            using var http = new RawHttp(daemon.Port);
            Assert.Equal(202, Post(http, "before").Status);
            acked.Add("before");
            fs.Fill();

            // Enough requests that one needs a new block, page or segment the full disk cannot give.
            RawHttp.Reply? refused = null;
            for (int i = 0; i < 200 && refused is null; i++)
            {
                var reply = Post(http, $"during{i}");
                if (reply.Status == 202) acked.Add($"during{i}");
                else refused = reply;
            }
            Assert.NotNull(refused);
            Assert.Equal(507, refused!.Status);
            Assert.Equal("5", refused.Header("Retry-After"));
            Assert.Contains("\"error\":\"insufficient_storage\"", refused.Body);
            Assert.Contains("ingestd_storage_writable 0", Metrics(daemon.Port));
            Assert.Matches(@"ingestd_storage_errors_total\{kind=""disk_full""\} [1-9]", Metrics(daemon.Port));

            fs.Free();
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(202, Post(http, $"after{i}").Status);
                acked.Add($"after{i}");
            }
            Assert.Contains("ingestd_storage_writable 1", Metrics(daemon.Port));
            Assert.Equal(0, daemon.Terminate());
            Assert.Single(daemon.Output.Split('\n'), l => l.Contains("storage not writable"));
        }

        var stored = IngestdCli.ReadRecords(data, "--tenant", "full")
            .Select(r => r.GetProperty("event").GetProperty("message").GetString()!)
            .Select(m => m[..m.LastIndexOf('-')]).ToHashSet();
        Assert.Subset(stored, acked.ToHashSet());
        var verify = IngestdCli.Run("verify", "--data-dir", data);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
    }

    [TmpfsFact]
    public void Guardian_answers_a_full_disk_in_its_own_error_shape_with_its_headers()
    {
        using var dir = new TempDir();
        using var fs = Tmpfs.Mount(dir.Path, "size=2m");
        var data = Path.Combine(fs.Path, "data");
        using var daemon = DaemonProcess.Start(data, "[storage]\ndurability = \"fsync\"\nsegment_max_bytes = \"64KiB\"\n");
        using var http = new RawHttp(daemon.Port);
        fs.Fill();
        RawHttp.Reply? refused = null;
        for (int i = 0; i < 200 && refused is null; i++)
        {
            var body = string.Concat(Enumerable.Range(0, 20).Select(n => $"{{\"timestamp\":\"2025-10-08T12:00:00Z\",\"level\":\"info\",\"message\":\"full-{i}-{n}\"}}\n"));
            var reply = http.Exchange("POST", "/api/ingest", body, ("Content-Type", "application/x-ndjson"));
            if (reply.Status != 202) refused = reply;
        }
        Assert.NotNull(refused);
        Assert.Equal(507, refused!.Status);
        Assert.Equal("5", refused.Header("Retry-After"));
        var json = System.Text.Json.JsonDocument.Parse(refused.Body).RootElement;
        Assert.Contains("disk", json.GetProperty("error").GetString());
        Assert.True(Guid.TryParse(json.GetProperty("traceId").GetString(), out _));
        Assert.True(Guid.TryParse(refused.Header("X-Trace-ID"), out _));
        fs.Free();
    }

    [TmpfsFact]
    public void No_inode_left_for_a_new_segment_is_507_and_the_daemon_recovers_once_one_is_freed()
    {
        using var dir = new TempDir();
        // Few inodes: the data directory, the lock, the first segment, the high-water mark and a couple of spares.
        using var fs = Tmpfs.Mount(dir.Path, "size=8m,nr_inodes=16");
        var data = Path.Combine(fs.Path, "data");
        var acked = new List<string>();
        var fillers = new List<string>();
        using (var daemon = DaemonProcess.Start(data, "[storage]\nsegment_max_bytes = \"4KiB\"\n"))
        {
            using var http = new RawHttp(daemon.Port);
            Assert.Equal(202, Post(http, "first").Status);
            acked.Add("first");
            for (int i = 0; i < 64; i++)
            {
                string f = Path.Combine(fs.Path, $"inode{i}");
                try { File.WriteAllBytes(f, []); } catch (IOException) { break; }
                fillers.Add(f);
            }
            RawHttp.Reply? refused = null;
            for (int i = 0; i < 50 && refused is null; i++)
            {
                var reply = Post(http, $"during{i}", 40);
                if (reply.Status == 202) acked.Add($"during{i}");
                else refused = reply;
            }
            Assert.Equal(507, refused?.Status);
            foreach (var f in fillers) File.Delete(f);
            Assert.Equal(202, Post(http, "after", 40).Status);
            acked.Add("after");
            Assert.Equal(0, daemon.Terminate());
        }
        var stored = IngestdCli.ReadRecords(data, "--tenant", "full")
            .Select(r => r.GetProperty("event").GetProperty("message").GetString()!)
            .Select(m => m[..m.LastIndexOf('-')]).ToHashSet();
        Assert.Subset(stored, acked.ToHashSet());
    }
}
