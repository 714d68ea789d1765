using System.Globalization;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Shippers;

/// <summary>
/// Elasticsearch client libraries as applications use them: each sends 100 uniquely marked events through its own
/// code path, reports no error, and every marker reads back exactly once with the key's tenant, dialect
/// <c>elastic</c>, its level and its time.
/// </summary>
public class ElasticClientTests(ShipperFixture fixture) : IClassFixture<ShipperFixture>
{
    private const int Count = 100;
    private static readonly string[] Levels = ["info", "warn", "error", "debug"];

    private DaemonProcess Daemon => fixture.Daemon;

    private static JsonElement Summary(ExternalProcess.Result r)
    {
        Assert.True(r.ExitCode == 0, $"client failed ({r.ExitCode}):\n{r.Stdout}\n{r.Stderr}");
        return JsonDocument.Parse(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;
    }

    /// <summary>The stored records of <paramref name="tag"/>, one per marker, each checked against what was sent.</summary>
    private Dictionary<int, JsonElement> EachMarkerOnce(string tag, string index, string messageField, Func<int, JsonElement, string> expectedTime)
    {
        var records = IngestdCli.ReadRecords(Daemon.DataDir, "--dialect", "elastic")
            .Where(r => Message(r).StartsWith(tag + "-", StringComparison.Ordinal)).ToList();
        var byMarker = records.GroupBy(r => int.Parse(Message(r)[(tag.Length + 1)..], CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Enumerable.Range(0, Count), byMarker.Keys.Order());
        Assert.All(byMarker, m => Assert.True(m.Value.Count == 1, $"{tag}-{m.Key} stored {m.Value.Count} times"));
        foreach (var (i, list) in byMarker)
        {
            var r = list[0];
            Assert.Equal("ship", r.GetProperty("tenant").GetString());
            Assert.Equal("elastic", r.GetProperty("dialect").GetString());
            Assert.Equal(index, r.GetProperty("service").GetString());
            Assert.Equal(Levels[i % Levels.Length], r.GetProperty("level").GetString());
            Assert.Equal(expectedTime(i, r), r.GetProperty("time").GetString());
        }
        return byMarker.ToDictionary(m => m.Key, m => m.Value[0]);

        string Message(JsonElement record)
            => record.GetProperty("event").TryGetProperty(messageField, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
    }

    private static string Nanos(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";

    [Fact]
    public void Winston_elasticsearch_transport_stores_every_entry_once()
    {
        // Its bulk writer sends {"index":{"_index":…,"pipeline":null},"attempts":0}: Elasticsearch 8 ignores the extra key.
        Summary(ExternalProcess.Node("winston-elasticsearch.mjs", new Dictionary<string, string> { ["ES_PASSWORD"] = "tok-ship" },
            Daemon.BaseUrl, "logs-winston", Count.ToString(CultureInfo.InvariantCulture), "winston-es"));

        var stored = EachMarkerOnce("winston-es", "logs-winston", "message",
            (i, _) => Nanos(new DateTime(2025, 3, 10, 9, 0, i % 60, i, DateTimeKind.Utc)));
        Assert.Equal(Levels[7 % 4], stored[7].GetProperty("event").GetProperty("severity").GetString());
        Assert.Equal(7, stored[7].GetProperty("event").GetProperty("fields").GetProperty("n").GetInt32());
    }

    [Fact]
    public void Pino_elasticsearch_with_refresh_on_completion_stores_every_line_once()
    {
        var before = DateTime.UtcNow.AddSeconds(-1);
        var summary = Summary(ExternalProcess.Node("pino-elasticsearch.mjs", new Dictionary<string, string> { ["ES_PASSWORD"] = "tok-ship" },
            Daemon.BaseUrl, "pino-logs", Count.ToString(CultureInfo.InvariantCulture), "pino-es"));
        var after = DateTime.UtcNow.AddSeconds(1);
        // The bulk helper resolves only after its closing GET /pino-logs/_refresh succeeded.
        Assert.Equal(Count, summary.GetProperty("stats").GetProperty("successful").GetInt32());
        Assert.Equal(0, summary.GetProperty("stats").GetProperty("failed").GetInt32());

        EachMarkerOnce("pino-es", "pino-logs", "msg", (_, r) =>
        {
            // pino stamps each line when it is logged; pino-elasticsearch copies it to @timestamp.
            var sent = DateTime.Parse(r.GetProperty("event").GetProperty("@timestamp").GetString()!, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.InRange(sent, before, after);
            return Nanos(sent);
        });
    }

    [Fact]
    public void Nest_7_in_compatibility_mode_accepts_every_bulk_response()
    {
        var result = ExternalProcess.Run("dotnet", [RepoPaths.NestClient, Daemon.BaseUrl, "tok-ship", "nest-logs", Count.ToString(CultureInfo.InvariantCulture), "nest"]);
        var summary = Summary(result);
        Assert.Equal(4, summary.GetProperty("valid").GetInt32());
        Assert.Equal(Count, summary.GetProperty("itemsOk").GetInt32());
        Assert.Equal(Count, summary.GetProperty("itemsWithType").GetInt32());
        Assert.True(summary.GetProperty("refreshed").GetBoolean());

        var start = new DateTime(2025, 2, 20, 8, 0, 0, DateTimeKind.Utc);
        EachMarkerOnce("nest", "nest-logs", "message", (i, _) => Nanos(start.AddSeconds(i)));
    }
}
