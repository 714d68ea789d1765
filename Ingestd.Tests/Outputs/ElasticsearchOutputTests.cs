using System.Text;
using System.Text.Json;
using Ingestd.Outputs;
using Ingestd.Outputs.Destinations;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Outputs;

/// <summary>
/// The <c>elasticsearch</c> output of one daemon delivering to a second ingestd, which speaks <c>_bulk</c>: its
/// segments, read back, hold every event once, with the event id as the document's id.
/// </summary>
public class ElasticsearchOutputTests
{
    private static string Config(string url, string extra = "") => $$"""
        [server]
        node_id = "node-a"

        [[outputs]]
        name = "es"
        type = "elasticsearch"
        url = "{{url}}"
        timeout = "15s"
        retry_max_backoff = "500ms"
        batch = { max_events = 25, max_wait = "50ms" }
        {{extra}}
        """;

    private static void Ingest(DaemonProcess daemon, string tenant, string tag, int count)
    {
        var reply = RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body(tenant, tag, count), ("Content-Type", "application/json"));
        Assert.Equal(202, reply.Status);
    }

    /// <summary>The documents the receiving ingestd stored, as sent (its <c>event</c>).</summary>
    private static List<JsonElement> Documents(string dataDir)
        => IngestdCli.ReadRecords(dataDir).Select(r => r.GetProperty("event")).ToList();

    [Fact]
    public void Events_arrive_in_the_receiving_ingestd_once_each_with_their_id_and_timestamp()
    {
        using var sourceDir = new TempDir();
        using var sinkDir = new TempDir();
        using var sink = DaemonProcess.Start(sinkDir.Path, null);
        using (var source = DaemonProcess.Start(sourceDir.Path, Config(sink.BaseUrl)))
        {
            Ingest(source, "acme", "bulk", 60);
            HttpNdjsonOutputTests.WaitForCursor(sourceDir.Path, 60, "es");
        }
        var stored = IngestdCli.ReadRecords(sourceDir.Path);
        var docs = Documents(sinkDir.Path);
        Assert.Equal(stored.Count, docs.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            Assert.Equal($"node-a-{stored[i].GetProperty("seq").GetInt64()}", docs[i].GetProperty("id").GetString());
            Assert.Equal(stored[i].GetProperty("time").GetString(), docs[i].GetProperty("@timestamp").GetString());
            Assert.Equal(stored[i].GetProperty("event").GetRawText(), docs[i].GetProperty("event").GetRawText());
        }
    }

    [Fact]
    public void Items_refused_for_their_index_are_dead_lettered_and_the_others_delivered()
    {
        using var sourceDir = new TempDir();
        using var sinkDir = new TempDir();
        using var sink = DaemonProcess.Start(sinkDir.Path, null);
        using (var source = DaemonProcess.Start(sourceDir.Path, Config(sink.BaseUrl)))
        {
            Ingest(source, "good", "ok", 10);
            Ingest(source, "Upper", "refused", 3); // index "ingestd-Upper": Elasticsearch index names are lower case
            Ingest(source, "good", "ok2", 5);
            HttpNdjsonOutputTests.WaitForCursor(sourceDir.Path, 18, "es");
        }
        var docs = Documents(sinkDir.Path);
        Assert.Equal(15, docs.Count);
        Assert.All(docs, d => Assert.Equal("good", d.GetProperty("tenant").GetString()));
        var dead = File.ReadAllLines(Path.Combine(sourceDir.Path, "outputs", "es.dead.ndjson"));
        Assert.Equal(3, dead.Length);
        Assert.All(dead, line => Assert.Contains("must be lowercase", JsonDocument.Parse(line).RootElement.GetProperty("reason").GetString()));
    }

    [Fact]
    public void Nothing_is_lost_while_the_receiving_ingestd_is_down()
    {
        int port = TestPorts.FreePort();
        using var sourceDir = new TempDir();
        using var sinkDir = new TempDir();
        using var source = DaemonProcess.Start(sourceDir.Path, Config($"http://127.0.0.1:{port}"));
        Ingest(source, "acme", "while-down", 40);
        HttpNdjsonOutputTests.WaitUntil(() => File.Exists(Path.Combine(sourceDir.Path, "outputs", "es.error")));

        using var sink = DaemonProcess.Start(sinkDir.Path, null, "--listen", $"127.0.0.1:{port}");
        HttpNdjsonOutputTests.WaitForCursor(sourceDir.Path, 40, "es");
        var ids = Documents(sinkDir.Path).Select(d => d.GetProperty("id").GetString()).ToList();
        Assert.Equal(40, ids.Count);
        Assert.Equal(40, ids.Distinct().Count());
    }

    [Fact]
    public void Bulk_item_statuses_decide_delivered_retried_or_refused()
    {
        var answer = Encoding.UTF8.GetBytes("""
            {"took":1,"errors":true,"items":[
              {"create":{"_id":"a","status":201}},
              {"create":{"_id":"b","status":409,"error":{"type":"version_conflict_engine_exception","reason":"exists"}}},
              {"create":{"_id":"c","status":429,"error":{"type":"es_rejected_execution_exception","reason":"busy"}}},
              {"create":{"_id":"d","status":400,"error":{"type":"mapper_parsing_exception","reason":"bad field"}}}]}
            """);
        var result = ElasticsearchDestination.ReadBulkAnswer(answer, 4);
        Assert.Equal(DeliveryStatus.PerItem, result.Status);
        Assert.Equal([DeliveryStatus.Acknowledged, DeliveryStatus.Acknowledged, DeliveryStatus.Transient, DeliveryStatus.Permanent],
            result.Items!.Select(i => i.Status));
        Assert.Equal("_bulk item 400: mapper_parsing_exception: bad field", result.Items![3].Reason);
    }
}
