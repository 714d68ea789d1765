using System.Collections.Concurrent;
using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>What was acknowledged survives kill -9, SIGTERM and a corrupt tail.</summary>
public class DurabilityTests
{
    // Sends requests from several connections until stopped; records the tags of acknowledged ones.
    private static (Task[] senders, ConcurrentBag<string> acked, CancellationTokenSource stop) StartLoad(int port, string tenant, int connections, int eventsPerRequest, int maxRequests)
    {
        var acked = new ConcurrentBag<string>();
        var stop = new CancellationTokenSource();
        var senders = new Task[connections];
        for (int c = 0; c < connections; c++)
        {
            int conn = c;
            senders[c] = Task.Run(() =>
            {
                try
                {
                    using var http = new RawHttp(port);
                    for (int r = 0; r < maxRequests && !stop.IsCancellationRequested; r++)
                    {
                        string tag = $"c{conn}r{r}";
                        http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body(tenant, tag, eventsPerRequest))));
                        var reply = http.Receive();
                        if (reply is null) return;
                        if (reply.Status == 202) acked.Add(tag);
                    }
                }
                catch (System.Net.Sockets.SocketException) { }
                catch (IOException) { }
            });
        }
        return (senders, acked, stop);
    }

    private static HashSet<string> StoredTags(string dataDir, string tenant, int eventsPerRequest)
    {
        var counts = new Dictionary<string, int>();
        foreach (var r in IngestdCli.ReadRecords(dataDir, "--tenant", tenant))
        {
            var message = r.GetProperty("event").GetProperty("message").GetString()!;
            var tag = message[..message.LastIndexOf('-')];
            counts[tag] = counts.GetValueOrDefault(tag) + 1;
        }
        // A request is stored all-or-nothing.
        Assert.All(counts, kv => Assert.Equal(eventsPerRequest, kv.Value));
        return counts.Keys.ToHashSet();
    }

    [Fact]
    public async Task Kill_9_loses_no_acknowledged_event()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        HashSet<string> ackedTags;
        using (var daemon = DaemonProcess.Start(data))
        {
            var (senders, acked, stop) = StartLoad(daemon.Port, "crash", connections: 4, eventsPerRequest: 50, maxRequests: 2000);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (acked.Count < 100 && DateTime.UtcNow < deadline) Thread.Sleep(20);
            daemon.Kill();
            stop.Cancel();
            await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(60));
            ackedTags = acked.ToHashSet();
        }
        Assert.True(ackedTags.Count >= 100);

        using (var restarted = DaemonProcess.Start(data))
        {
            var stored = StoredTags(data, "crash", 50);
            Assert.Subset(stored, ackedTags);
            restarted.Terminate();
        }
        var verify = IngestdCli.Run("verify", "--data-dir", data);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr);
    }

    [Fact]
    public async Task Sigterm_with_requests_in_flight_exits_0_with_every_acknowledged_event_on_disk()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        using var daemon = DaemonProcess.Start(data);
        var (senders, acked, stop) = StartLoad(daemon.Port, "term", connections: 4, eventsPerRequest: 50, maxRequests: 2000);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (acked.Count < 50 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        int exit = daemon.Terminate();
        stop.Cancel();
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, exit);
        Assert.Subset(StoredTags(data, "term", 50), acked.ToHashSet());
        Assert.Equal(0, IngestdCli.Run("verify", "--data-dir", data).ExitCode);
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("write")]
    [InlineData("fsync")]
    public void Every_durability_mode_stores_what_it_acknowledged(string mode)
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        using (var daemon = DaemonProcess.Start(data, $"[storage]\ndurability = \"{mode}\"\n"))
        {
            using var http = new RawHttp(daemon.Port);
            for (int r = 0; r < 10; r++)
            {
                http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body("mode", $"m{r}", 20))));
                Assert.Equal(202, http.Receive()!.Status);
            }
            Assert.Equal(0, daemon.Terminate());
        }
        Assert.Equal(200, IngestdCli.ReadRecords(data, "--tenant", "mode").Count);
    }

    [Fact]
    public void Garbage_after_the_last_block_is_truncated_on_start_and_reported()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        using (var daemon = DaemonProcess.Start(data))
        {
            using var http = new RawHttp(daemon.Port);
            http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body("garbage", "before", 25))));
            Assert.Equal(202, http.Receive()!.Status);
            Assert.Equal(0, daemon.Terminate());
        }
        var segment = Directory.GetFiles(data, "*.seg").Order().Last();
        long goodLength = new FileInfo(segment).Length;
        File.AppendAllText(segment, "this is not a block, just junk at the tail");

        Assert.Equal(1, IngestdCli.Run("verify", "--data-dir", data).ExitCode);
        using (var daemon = DaemonProcess.Start(data))
        {
            Assert.Contains("truncated", daemon.Output);
            Assert.Equal(goodLength, new FileInfo(segment).Length);
            Assert.Equal(25, IngestdCli.ReadRecords(data, "--tenant", "garbage").Count);
            Assert.Equal(0, daemon.Terminate());
        }
        Assert.Equal(0, IngestdCli.Run("verify", "--data-dir", data).ExitCode);
    }
}
