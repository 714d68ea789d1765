using System.Text;
using System.Text.Json;
using Ingestd.Storage;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>A daemon with processing pipelines (open mode): one pipeline per dialect, applied and read back with <c>ingestd read</c>.</summary>
public sealed class PipelineDaemonFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-pipelines");

    public const string Secret = "alice.secret@example.com";
    public const string Card = "4111111111111111";

    public PipelineDaemonFixture()
    {
        File.WriteAllText(_dir.File("teams.csv"), "service,team\npayments-app,payments\napi-gateway,platform\n");
        DataDir = _dir.File("data");
        // The config file is written beside the data directory, so the lookup file is found from there.
        File.Copy(_dir.File("teams.csv"), DataDir + "-teams.csv");
        Daemon = DaemonProcess.Start(DataDir, $$"""
            [[pipelines]]
            name = "payments"
            match = { dialect = "streams" }
            [[pipelines.steps]]
            type = "mask"
            paths = ["event.card"]
            action = "partial"
            [[pipelines.steps]]
            type = "enrich"
            lookup = { file = "{{Path.GetFileName(DataDir)}}-teams.csv", key = "service", columns = ["team"] }
            [[pipelines.steps]]
            type = "filter"
            drop_if = "event.status == 'debug'"
            [[pipelines.steps]]
            type = "route"
            routes = ["store", "payments"]

            [[pipelines]]
            name = "logs"
            match = { dialect = ["astralog", "guardian", "loki", "otlp"] }
            [[pipelines.steps]]
            type = "mask"
            patterns = ["email"]
            [[pipelines.steps]]
            type = "enrich"
            set = { processed = "yes" }
            [[pipelines.steps]]
            type = "filter"
            drop_if = "level == 'debug'"
            """);
    }

    public string DataDir { get; }
    public DaemonProcess Daemon { get; }

    public void Dispose()
    {
        Daemon.Dispose();
        _dir.Dispose();
    }
}

public class PipelineTests(PipelineDaemonFixture fixture) : IClassFixture<PipelineDaemonFixture>
{
    private const string Secret = PipelineDaemonFixture.Secret;

    private RawHttp.Reply Post(string path, string body, params (string, string)[] headers)
        => RawHttp.Once(fixture.Daemon.Port, "POST", path, body, headers);

    private List<JsonElement> Read(string dialect, string tag)
        => IngestdCli.ReadRecords(fixture.DataDir, "--dialect", dialect).Where(r => r.GetProperty("event").GetRawText().Contains(tag)).ToList();

    /// <summary>The "logs" pipeline: the email masked, a member added, the debug event dropped.</summary>
    private static void AssertLogsPipelineApplied(List<JsonElement> records, string tag)
    {
        var record = Assert.Single(records);
        string json = record.GetProperty("event").GetRawText();
        Assert.DoesNotContain(Secret, json);
        Assert.Contains("[REDACTED]", json);
        Assert.Contains(tag, json);
        Assert.Equal("yes", record.GetProperty("event").GetProperty("processed").GetString());
        Assert.NotEqual("debug", record.GetProperty("level").GetString());
    }

    [Fact]
    public void Streams_event_is_masked_enriched_and_routed()
    {
        var reply = Post("/v1/streams/ingest", $$$"""
            {"timestamp":"2025-02-12T14:32:15Z","source":"payments-app","event":{"transactionId":"txn_e2e_1","status":"approved","card":"{{{PipelineDaemonFixture.Card}}}","amount":499}}
            """, ("Content-Type", "application/json"), ("X-Stream-Id", "pay-stream"));
        Assert.Equal(200, reply.Status);
        var record = Assert.Single(Read("streams", "txn_e2e_1"));
        var ev = record.GetProperty("event");
        Assert.Equal("****1111", ev.GetProperty("event").GetProperty("card").GetString());
        Assert.Equal("payments", ev.GetProperty("team").GetString());
        Assert.Equal(["store", "payments"], record.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public void Streams_event_a_filter_drops_is_still_accepted_but_not_stored()
    {
        var reply = Post("/v1/streams/ingest", """
            {"timestamp":"2025-02-12T14:32:15Z","source":"payments-app","event":{"transactionId":"txn_e2e_dropped","status":"debug"}}
            """, ("Content-Type", "application/json"), ("X-Stream-Id", "pay-stream"));
        Assert.Equal(200, reply.Status);
        Assert.Contains("\"status\":\"accepted\"", reply.Body);
        Assert.Empty(Read("streams", "txn_e2e_dropped"));
    }

    [Fact]
    public void Drain_events_go_through_the_pipeline()
    {
        string body = $$"""
            {"events":[
              {"project_id":"org-pipe","timestamp":"2024-05-31T15:30:00Z","level":"debug","service":"api-gateway","message":"drain-e2e noise"},
              {"project_id":"org-pipe","timestamp":"2024-05-31T15:30:01Z","level":"info","service":"api-gateway","message":"drain-e2e login by {{Secret}}"}]}
            """;
        Assert.Equal(202, Post("/v1/drain", body, ("Content-Type", "application/json")).Status);
        AssertLogsPipelineApplied(Read("astralog", "drain-e2e"), "drain-e2e");
    }

    [Fact]
    public void Guardian_events_go_through_the_pipeline()
    {
        string body = $$"""
            {"timestamp":"2025-10-08T12:00:00Z","level":"debug","message":"guardian-e2e noise"}
            {"timestamp":"2025-10-08T12:00:01Z","level":"info","message":"guardian-e2e login by {{Secret}}"}
            """;
        var reply = Post("/api/ingest", body, ("Content-Type", "application/x-ndjson"));
        Assert.True(reply.Status is 200 or 202, reply.Body);
        AssertLogsPipelineApplied(Read("guardian", "guardian-e2e"), "guardian-e2e");
    }

    [Fact]
    public void Loki_entries_go_through_the_pipeline()
    {
        string body = $$"""
            {"streams":[
              {"stream":{"service_name":"web","level":"debug"},"values":[["1717169400000000000","loki-e2e noise"]]},
              {"stream":{"service_name":"web","level":"info"},"values":[["1717169401000000000","loki-e2e login by {{Secret}}"]]}]}
            """;
        Assert.Equal(204, Post("/loki/api/v1/push", body, ("Content-Type", "application/json")).Status);
        AssertLogsPipelineApplied(Read("loki", "loki-e2e"), "loki-e2e");
    }

    [Fact]
    public void Otlp_log_records_go_through_the_pipeline()
    {
        string body = $$$"""
            {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
              "scopeLogs":[{"logRecords":[
                {"timeUnixNano":"1717169400000000000","severityNumber":5,"severityText":"DEBUG","body":{"stringValue":"otlp-e2e noise"}},
                {"timeUnixNano":"1717169401000000000","severityNumber":9,"severityText":"INFO","body":{"stringValue":"otlp-e2e login by {{{Secret}}}"}}]}]}]}
            """;
        Assert.Equal(200, Post("/v1/logs", body, ("Content-Type", "application/json")).Status);
        AssertLogsPipelineApplied(Read("otlp", "otlp-e2e"), "otlp-e2e");
    }

    [Fact]
    public void A_masked_value_never_reaches_the_segment_the_log_or_the_metrics()
    {
        string body = $$$"""{"events":[{"project_id":"org-pipe","timestamp":"2024-05-31T15:30:01Z","level":"info","service":"api-gateway","message":"leak-check {{{Secret}}}"}]}""";
        Assert.Equal(202, Post("/v1/drain", body, ("Content-Type", "application/json")).Status);
        Assert.Single(Read("astralog", "leak-check"));

        byte[] secret = Encoding.UTF8.GetBytes(Secret);
        int blocks = 0;
        using var codec = new BlockCodec();
        foreach (var file in Directory.GetFiles(fixture.DataDir, "*.seg"))
        {
            byte[] bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"{file} holds the secret as is");
            for (int at = 32; at < bytes.Length;)
            {
                Assert.Equal(BlockStatus.Ok, BlockCodec.ReadHeader(bytes.AsSpan(at), out var header));
                Assert.Equal(BlockStatus.Ok, codec.Decode(bytes.AsSpan(at, (int)header.TotalLength), out _, out var records));
                Assert.True(records.IndexOf(secret) < 0, $"a block of {file} holds the secret");
                at += (int)header.TotalLength;
                blocks++;
            }
        }
        Assert.True(blocks > 0);
        Assert.DoesNotContain(Secret, fixture.Daemon.Output);
        var metrics = RawHttp.Once(fixture.Daemon.Port, "GET", "/metrics", null);
        Assert.DoesNotContain(Secret, metrics.Body);
        Assert.Contains("ingestd_pipeline_events_total{pipeline=\"logs\",step=\"1-mask\",outcome=\"applied\"}", metrics.Body);
    }
}
