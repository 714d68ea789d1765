using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Shippers;

/// <summary>The OpenTelemetry JS logs SDK with its OTLP/HTTP exporters (JSON and protobuf).</summary>
public class OtlpClientTests(ShipperFixture fixture) : IClassFixture<ShipperFixture>
{
    private static JsonElement RunClient(string url, string kind, int count, string tag, string auth = "Bearer tok-ship")
    {
        var r = ExternalProcess.Node("otlp.mjs", new Dictionary<string, string> { ["OTLP_AUTH"] = auth }, url, kind, count.ToString(), tag);
        Assert.True(r.ExitCode == 0, $"client failed:\n{r.Stdout}\n{r.Stderr}");
        return JsonDocument.Parse(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;
    }

    [Theory]
    [InlineData("http")]
    [InlineData("proto")]
    public void Otel_exporter_logs_arrive_with_resource_severity_and_body(string kind)
    {
        const int count = 120;
        string tag = "otel-" + kind;
        var result = RunClient(fixture.Daemon.BaseUrl + "/v1/logs", kind, count, tag);
        Assert.Equal(count, result.GetProperty("exported").GetInt32());
        Assert.Equal(0, result.GetProperty("failed").GetArrayLength());

        var stored = fixture.Records("otlp").Where(r => r.GetProperty("event").GetProperty("log").GetProperty("attributes").GetProperty("tag").GetString() == tag).ToList();
        Assert.Equal(count, stored.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"{tag}-{i}").Order(),
            stored.Select(r => r.GetProperty("event").GetProperty("log").GetProperty("body").GetString()!).Order());
        Assert.All(stored, r =>
        {
            Assert.Equal("otel-client", r.GetProperty("service").GetString());
            Assert.Equal("warn", r.GetProperty("level").GetString());
            Assert.Equal("otel-client", r.GetProperty("event").GetProperty("resource").GetProperty("service.name").GetString());
        });
    }

    [Fact]
    public void Wrong_key_is_refused_and_the_exporter_reports_failure()
    {
        var result = RunClient(fixture.Daemon.BaseUrl + "/v1/logs", "http", 5, "otel-denied", auth: "Bearer nope");
        Assert.Equal(0, result.GetProperty("exported").GetInt32());
        Assert.NotEqual(0, result.GetProperty("failed").GetArrayLength());
    }
}

/// <summary>
/// Overload: while other clients saturate a deliberately tiny ring, OTLP requests get 429 with
/// Retry-After. The exporter retries; in the end every log is stored exactly once.
/// </summary>
public class OtlpRetryTests
{
    private static int LogsRefused(DaemonProcess daemon)
    {
        var metrics = RawHttp.Once(daemon.Port, "GET", "/metrics", (string?)null).Body;
        var m = Regex.Match(metrics, @"ingestd_http_requests_total\{route=""/v1/logs"",status=""429""\} (\d+)");
        return m.Success ? int.Parse(m.Groups[1].Value) : 0;
    }

    [Fact]
    public async Task Exporter_retries_through_429s_and_nothing_is_lost_or_duplicated()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"), """
            [storage]
            ring_bytes = "64KiB"
            backpressure_wait = "0ms"
            compression_level = 19
            durability = "fsync"
            """);
        // Flood the ring from 8 connections until the exporter has met a 429 (plus a second), then stop:
        // "429s for a while". Bounded in time whatever happens.
        using var flood = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int floodRefusals = 0;
        var floodBody = System.Text.Encoding.UTF8.GetBytes(DrainBodies.Body("flood", "f", 90));
        var floods = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            using var http = new RawHttp(daemon.Port);
            for (int i = 0; i < 100_000 && !flood.IsCancellationRequested; i++)
            {
                http.Send(DrainBodies.Request(floodBody));
                var reply = http.Receive();
                if (reply is null) return;
                if (reply.Status == 429) Interlocked.Increment(ref floodRefusals);
            }
        })).ToArray();
        var saturated = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref floodRefusals) == 0 && DateTime.UtcNow < saturated) await Task.Delay(20);
        Assert.True(floodRefusals > 0, "the flood should saturate the tiny ring");

        const int count = 300;
        var client = Task.Run(() => ExternalProcess.Node("otlp.mjs", null, daemon.BaseUrl + "/v1/logs", "http", count.ToString(), "retry"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (LogsRefused(daemon) == 0 && !client.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(1000);
        flood.Cancel();
        var r = await client.WaitAsync(TimeSpan.FromSeconds(120));
        await Task.WhenAll(floods).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 0, r.Stderr);
        var result = JsonDocument.Parse(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;

        Assert.True(LogsRefused(daemon) > 0, "the exporter should have met at least one 429");
        Assert.Equal(count, result.GetProperty("exported").GetInt32());

        var bodies = IngestdCli.ReadRecords(daemon.DataDir, "--dialect", "otlp")
            .Select(x => x.GetProperty("event").GetProperty("log").GetProperty("body").GetString()!).ToList();
        Assert.Equal(count, bodies.Count);
        Assert.Equal(count, bodies.Distinct().Count());
    }
}
