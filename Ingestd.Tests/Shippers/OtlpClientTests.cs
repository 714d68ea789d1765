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

/// <summary>OTLP/HTTP traces and metrics over the wire, and partial success.</summary>
public class OtlpHttpTests(ShipperFixture fixture) : IClassFixture<ShipperFixture>
{
    private RawHttp.Reply Post(string path, string json)
        => RawHttp.Once(fixture.Daemon.Port, "POST", path, json, ("Content-Type", "application/json"), ("Authorization", "Bearer tok-ship"));

    private const string Resource = """{"attributes":[{"key":"service.name","value":{"stringValue":"otlp-wire"}}]}""";

    [Fact]
    public void Traces_are_stored_one_record_per_span()
    {
        var r = Post("/v1/traces", $$$"""
            {"resourceSpans":[{"resource":{{{Resource}}},"scopeSpans":[{"scope":{"name":"t"},"spans":[
              {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"GET /wire","kind":2,
               "startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000","status":{"code":1}}]}]}]}
            """);
        Assert.Equal(200, r.Status);
        var span = fixture.Records("otlp").Single(x => x.GetProperty("kind").GetString() == "trace" && x.GetProperty("event").GetProperty("span").GetProperty("name").GetString() == "GET /wire");
        Assert.Equal("otlp-wire", span.GetProperty("service").GetString());
        Assert.Equal("2018-12-13T14:51:00.000000000Z", span.GetProperty("time").GetString());
    }

    [Fact]
    public void Metrics_are_stored_one_record_per_metric()
    {
        var r = Post("/v1/metrics", $$$"""
            {"resourceMetrics":[{"resource":{{{Resource}}},"scopeMetrics":[{"metrics":[
              {"name":"wire.requests","unit":"1","sum":{"aggregationTemporality":2,"isMonotonic":true,
               "dataPoints":[{"asInt":"42","timeUnixNano":"1544712660000000000"}]}}]}]}]}
            """);
        Assert.Equal(200, r.Status);
        Assert.Single(fixture.Records("otlp"), x => x.GetProperty("kind").GetString() == "metric" && x.GetProperty("event").GetProperty("metric").GetProperty("name").GetString() == "wire.requests");
    }

    [Fact]
    public void Invalid_spans_are_reported_in_partial_success_and_the_rest_stored()
    {
        var r = Post("/v1/traces", $$$"""
            {"resourceSpans":[{"resource":{{{Resource}}},"scopeSpans":[{"spans":[
              {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175","name":"partial-ok","startTimeUnixNano":"1"},
              {"traceId":"abc","spanId":"eee19b7ec3c1b176","name":"partial-bad","startTimeUnixNano":"1"}]}]}]}
            """);
        Assert.Equal(200, r.Status);
        var partial = JsonDocument.Parse(r.Body).RootElement.GetProperty("partialSuccess");
        Assert.Equal("1", partial.GetProperty("rejectedSpans").GetString());
        Assert.Contains("traceId", partial.GetProperty("errorMessage").GetString());
        var names = fixture.Records("otlp").Where(x => x.GetProperty("kind").GetString() == "trace").Select(x => x.GetProperty("event").GetProperty("span").GetProperty("name").GetString()).ToList();
        Assert.Contains("partial-ok", names);
        Assert.DoesNotContain("partial-bad", names);
    }

    [Fact]
    public void Unsupported_content_type_gets_415()
        => Assert.Equal(415, RawHttp.Once(fixture.Daemon.Port, "POST", "/v1/logs", "x", ("Content-Type", "text/plain"), ("Authorization", "Bearer tok-ship")).Status);
}
