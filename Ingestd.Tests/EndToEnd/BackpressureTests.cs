using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

public class BackpressureTests
{
    [Fact]
    public async Task Overload_of_a_tiny_ring_yields_429s_and_stores_nothing_of_them()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        const string config = """
            [storage]
            ring_bytes = "64KiB"
            durability = "fsync"
            backpressure_wait = "0ms"
            # zstd's slowest level keeps the writer busy so producers outrun it.
            compression_level = 19
            """;
        using var daemon = DaemonProcess.Start(data, config);
        var acked = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<string>();
        var senders = Enumerable.Range(0, 8).Select(c => Task.Run(() =>
        {
            using var http = new RawHttp(daemon.Port);
            for (int r = 0; r < 150 && refused.Count < 20; r++)
            {
                string tag = $"c{c}r{r}";
                http.Send(DrainBodies.Request(Encoding.UTF8.GetBytes(DrainBodies.Body("bp", tag, 60))));
                var reply = http.Receive()!;
                if (reply.Status == 202) acked.Add(tag);
                else
                {
                    Assert.Equal(429, reply.Status);
                    Assert.NotNull(reply.Header("Retry-After"));
                    var json = JsonDocument.Parse(reply.Body).RootElement;
                    Assert.Equal("server saturated", json.GetProperty("error").GetString());
                    Assert.Equal("backpressure_triggered", json.GetProperty("code").GetString());
                    refused.Add(tag);
                }
            }
        })).ToArray();
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.NotEmpty(refused);

        var stored = IngestdCli.ReadRecords(data, "--tenant", "bp")
            .Select(r => r.GetProperty("event").GetProperty("message").GetString()!)
            .Select(m => m[..m.LastIndexOf('-')]).ToHashSet();
        Assert.Empty(stored.Intersect(refused));
        Assert.Equal(acked.ToHashSet(), stored);
    }
}
