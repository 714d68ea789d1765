using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Shippers;

/// <summary>A daemon with one tenant ("ship", key tok-ship) for the real client libraries.</summary>
public sealed class ShipperFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-shippers");

    public ShipperFixture() => Daemon = DaemonProcess.Start(_dir.File("data"), "[[tenants]]\nid = \"ship\"\nkeys = [\"tok-ship\"]\n");

    public DaemonProcess Daemon { get; }

    public List<JsonElement> Records(string dialect) => IngestdCli.ReadRecords(Daemon.DataDir, "--tenant", "ship", "--dialect", dialect);

    public void Dispose()
    {
        Daemon.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// Each official client library sends a known set of events through its own code path; the
/// events come back from the segments with their fields, and the client saw success.
/// </summary>
public class ShipperClientTests(ShipperFixture fixture) : IClassFixture<ShipperFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    private static JsonElement LastJsonLine(ExternalProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"client failed ({r.ExitCode}):\n{r.Stdout}\n{r.Stderr}");
        var line = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonDocument.Parse(line).RootElement;
    }

    [Fact]
    public void Elasticsearch_client_bulk_helper_stores_every_document()
    {
        const int count = 60;
        var result = LastJsonLine(ExternalProcess.Node("elastic.mjs", new Dictionary<string, string> { ["ES_PASSWORD"] = "tok-ship" },
            Daemon.BaseUrl, "app-logs", count.ToString(), "es"));
        Assert.Equal(count, result.GetProperty("total").GetInt32());
        Assert.Equal(count, result.GetProperty("successful").GetInt32());
        Assert.Equal(0, result.GetProperty("failed").GetInt32());

        // The bulk helper flushes several requests at once, so documents arrive in any order.
        var stored = fixture.Records("elastic").Where(r => r.GetProperty("event").GetProperty("message").GetString()!.StartsWith("es-"))
            .ToDictionary(r => r.GetProperty("event").GetProperty("message").GetString()!);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"es-{i}").Order(), stored.Keys.Order());
        Assert.All(stored.Values, r => Assert.Equal("app-logs", r.GetProperty("service").GetString()));
        Assert.Equal("warn", stored["es-1"].GetProperty("level").GetString());
        Assert.Equal("2025-01-15T10:30:01.000000000Z", stored["es-1"].GetProperty("time").GetString());
    }

    [Theory]
    [InlineData("proto")]
    [InlineData("json")]
    public void Winston_loki_transport_pushes_every_line(string encoding)
    {
        const int count = 40;
        string tag = "loki-" + encoding;
        var result = LastJsonLine(ExternalProcess.Node("loki.mjs", new Dictionary<string, string> { ["LOKI_BASIC"] = "user:tok-ship" },
            Daemon.BaseUrl, encoding, count.ToString(), tag));
        Assert.Equal(0, result.GetProperty("errors").GetInt32());

        List<JsonElement> stored = [];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            stored = fixture.Records("loki").Where(r => r.GetProperty("event").GetProperty("stream").TryGetProperty("tag", out var t) && t.GetString() == tag).ToList();
            if (stored.Count >= count) break;
            Thread.Sleep(200);
        }
        Assert.Equal(count, stored.Count);
        var lines = stored.Select(r => r.GetProperty("event").GetProperty("line").GetString()!).ToList();
        for (int i = 0; i < count; i++) Assert.Contains(lines, l => l.Contains($"{tag}-{i}", StringComparison.Ordinal));
        Assert.All(stored, r => Assert.Equal("winston-test", r.GetProperty("event").GetProperty("stream").GetProperty("app").GetString()));
        Assert.All(stored, r => Assert.Equal("winston-test", r.GetProperty("service").GetString()));
    }

    [Fact]
    public void Splunk_logging_sends_every_event_to_hec()
    {
        const int count = 25;
        var result = LastJsonLine(ExternalProcess.Node("splunk.mjs", null, Daemon.BaseUrl, "tok-ship", count.ToString(), "hec"));
        Assert.Equal(count, result.GetProperty("ok").GetInt32());
        Assert.Equal(0, result.GetProperty("failed").GetInt32());

        var stored = fixture.Records("splunk").Where(r => r.GetProperty("event").GetProperty("event").GetProperty("message").GetProperty("text").GetString()!.StartsWith("hec-")).ToList();
        Assert.Equal(count, stored.Count);
        Assert.All(stored, r => Assert.Equal("ingestd:test", r.GetProperty("service").GetString()));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"hec-{i}").Order(), stored.Select(r => r.GetProperty("event").GetProperty("event").GetProperty("message").GetProperty("text").GetString()!).Order());
    }

    [Fact]
    public void Pino_http_send_logs_batches_are_split_into_events_with_pinos_level_and_time()
    {
        const int count = 100;
        var run = ExternalProcess.Node("pino.mjs", null, Daemon.BaseUrl + "/api/ingest", "tok-ship", count.ToString(), "pino");
        Assert.Equal(count, LastJsonLine(run).GetProperty("logged").GetInt32());
        Assert.True(run.Stderr.Trim().Length == 0, $"pino-http-send reported failures:\n{run.Stderr}");

        var stored = fixture.Records("guardian").Where(r => r.GetProperty("event").TryGetProperty("msg", out var m) && m.GetString()!.StartsWith("pino-")).ToList();
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"pino-{i}").Order(), stored.Select(r => r.GetProperty("event").GetProperty("msg").GetString()!).Order());
        string[] levels = ["trace", "debug", "info", "warn", "error", "fatal"];
        Assert.All(stored, r =>
        {
            var e = r.GetProperty("event");
            int n = e.GetProperty("n").GetInt32();
            Assert.Equal($"pino-{n}", e.GetProperty("msg").GetString());
            Assert.Equal("ship", r.GetProperty("tenant").GetString());
            Assert.Equal("guardian", r.GetProperty("dialect").GetString());
            Assert.Equal(10 * (n % 6 + 1), e.GetProperty("level").GetInt32());
            Assert.Equal(levels[n % 6], r.GetProperty("level").GetString());
            Assert.Equal("pino-client", r.GetProperty("service").GetString());
            var sent = DateTimeOffset.FromUnixTimeMilliseconds(e.GetProperty("time").GetInt64());
            Assert.Equal(sent.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'000000Z'"), r.GetProperty("time").GetString());
        });
    }

    [Fact]
    public void Splunk_health_and_token_errors_use_splunks_bodies()
    {
        Assert.Equal("""{"text":"HEC is healthy","code":17}""", RawHttp.Once(Daemon.Port, "GET", "/services/collector/health", (string?)null).Body);
        var missing = RawHttp.Once(Daemon.Port, "POST", "/services/collector/event", """{"event":"x"}""");
        Assert.Equal(401, missing.Status);
        Assert.Equal("""{"text":"Token is required","code":2}""", missing.Body);
        var wrong = RawHttp.Once(Daemon.Port, "POST", "/services/collector/event", """{"event":"x"}""", ("Authorization", "Splunk nope"));
        Assert.Equal(403, wrong.Status);
        Assert.Equal("""{"text":"Invalid token","code":4}""", wrong.Body);
        var bad = RawHttp.Once(Daemon.Port, "POST", "/services/collector/event", """{"event":"x"}{"time":1}""", ("Authorization", "Splunk tok-ship"));
        Assert.Equal(400, bad.Status);
        Assert.Equal("""{"text":"Event field is required","code":12,"invalid-event-number":1}""", bad.Body);
    }

    [Fact]
    public void Elasticsearch_handshake_carries_the_product_header()
    {
        using var http = new RawHttp(Daemon.Port);
        var basic = "Basic " + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("elastic:tok-ship"));
        var root = http.Exchange("GET", "/", (string?)null, ("Authorization", basic));
        Assert.Equal(200, root.Status);
        Assert.Equal("Elasticsearch", root.Header("X-Elastic-Product"));
        Assert.StartsWith("8.", JsonDocument.Parse(root.Body).RootElement.GetProperty("version").GetProperty("number").GetString());
        Assert.Equal(200, http.Exchange("HEAD", "/", (string?)null, ("Authorization", basic)).Status);
        Assert.Equal(200, http.Exchange("GET", "/_cluster/health", (string?)null, ("Authorization", basic)).Status);
        var noAuth = http.Exchange("POST", "/_bulk", "{\"create\":{\"_index\":\"x\"}}\n{\"a\":1}\n", ("Content-Type", "application/x-ndjson"));
        Assert.Equal(401, noAuth.Status);
        Assert.Equal("Elasticsearch", noAuth.Header("X-Elastic-Product"));
    }
}
