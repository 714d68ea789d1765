using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Shippers;

/// <summary>graypy 2.1 (Debian python3-graypy) sending GELF over HTTP to /gelf with its defaults (zlib labelled gzip,deflate).</summary>
public class GraypyTests(ShipperFixture fixture) : IClassFixture<ShipperFixture>
{
    [Fact]
    public void Graypy_http_handler_stores_every_record_once_with_level_service_and_time()
    {
        const int count = 100;
        string tag = "gelf-" + Guid.NewGuid().ToString("N")[..8];
        var run = ExternalProcess.Run("/usr/bin/python3", ["graypy_http.py", fixture.Daemon.Port.ToString(), "tok-ship", count.ToString(), tag], RepoPaths.Clients);
        Assert.True(run.ExitCode == 0, $"graypy failed ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");
        var summary = JsonDocument.Parse(run.Stdout.Trim().Split('\n').Last()).RootElement;
        Assert.Equal(0, summary.GetProperty("errors").GetArrayLength());

        // graypy never reads the answer, so wait for the records rather than trusting the client.
        List<JsonElement> stored = [];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            stored = fixture.Records("gelf").Where(r => r.GetProperty("event").GetProperty("short_message").GetString()!.StartsWith(tag + "-", StringComparison.Ordinal)).ToList();
            if (stored.Count >= count) break;
            Thread.Sleep(200);
        }
        var byMarker = stored.GroupBy(r => r.GetProperty("event").GetProperty("short_message").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        string[] levels = ["debug", "info", "warn", "error", "fatal"];
        for (int i = 0; i < count; i++)
        {
            Assert.True(byMarker.TryGetValue($"{tag}-{i}", out var copies), $"{tag}-{i} missing");
            var r = Assert.Single(copies);
            Assert.Equal("ship", r.GetProperty("tenant").GetString());
            Assert.Equal("gelf", r.GetProperty("dialect").GetString());
            Assert.Equal(levels[i % 5], r.GetProperty("level").GetString());
            Assert.Equal("gelf-svc", r.GetProperty("service").GetString());
            Assert.Equal($"{DateTimeOffset.FromUnixTimeSeconds(1735689600 + i).UtcDateTime:yyyy-MM-ddTHH:mm:ss}.250000000Z", r.GetProperty("time").GetString());
        }
        Assert.Equal(count, stored.Count);
    }

    [Fact]
    public void Gelf_answers_202_with_an_empty_body()
    {
        var r = RawHttp.Once(fixture.Daemon.Port, "POST", "/gelf", """{"version":"1.1","host":"h","short_message":"raw-202"}""", ("Authorization", "Bearer tok-ship"));
        Assert.Equal(202, r.Status);
        Assert.Equal("", r.Body);
    }

    [Fact]
    public void Gelf_without_a_key_is_refused_when_tenants_are_configured()
        => Assert.Equal(401, RawHttp.Once(fixture.Daemon.Port, "POST", "/gelf", """{"host":"h","short_message":"m"}""").Status);
}
