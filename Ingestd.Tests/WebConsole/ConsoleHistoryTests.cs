using System.Text;
using System.Text.Json;
using Ingestd.Diagnostics;
using Ingestd.Endpoints.Operations;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.WebConsole;

/// <summary>What /v1/overview makes of the samples: rates between them, the busiest series, latency, output lag.</summary>
public class ConsoleHistoryTests
{
    private readonly Metrics _metrics = new();
    private ServerGauges _gauges = new(RingCapacity: 1000, RingUsed: 0, Segments: 1, SegmentBytes: 32, Subscribers: 0);

    private ConsoleHistory History(int capacity = 301) => new(_metrics, () => _gauges, capacity);

    private static JsonElement Json(ConsoleHistory history, string? tenant = null)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) history.WriteJson(writer, tenant);
        return JsonDocument.Parse(Encoding.UTF8.GetString(stream.ToArray())).RootElement;
    }

    private static double[] Values(JsonElement series) => series.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Fact]
    public void Rates_are_the_counter_increase_per_second_between_samples()
    {
        var history = History();
        history.Sample(10_000);
        _metrics.CountAccepted(Dialect.Astralog, "alpha", events: 30, bytes: 3000);
        history.Sample(12_000);
        var o = Json(history);
        Assert.Equal([12.0], o.GetProperty("time").EnumerateArray().Select(t => t.GetDouble()));
        var series = Assert.Single(o.GetProperty("events_per_second").EnumerateArray());
        Assert.Equal("astralog", series.GetProperty("dialect").GetString());
        Assert.Equal("alpha", series.GetProperty("tenant").GetString());
        Assert.Equal([15.0], Values(series));
        Assert.Equal([1500.0], Values(Assert.Single(o.GetProperty("bytes_per_second").EnumerateArray())));
    }

    [Fact]
    public void A_tenant_sees_only_its_own_series()
    {
        var history = History();
        history.Sample(0);
        _metrics.CountAccepted(Dialect.Astralog, "alpha", 1, 10);
        _metrics.CountAccepted(Dialect.Astralog, "beta", 1, 10);
        history.Sample(1000);
        Assert.Equal(["alpha"], Json(history, "alpha").GetProperty("events_per_second").EnumerateArray().Select(s => s.GetProperty("tenant").GetString()));
        Assert.Equal(2, Json(history).GetProperty("events_per_second").GetArrayLength());
    }

    [Fact]
    public void Beyond_the_busiest_series_the_rest_are_summed_as_other()
    {
        var history = History();
        history.Sample(0);
        for (int t = 0; t < ConsoleHistory.MaxSeriesPerChart + 3; t++)
            _metrics.CountAccepted(Dialect.Astralog, "t" + t, events: 100 + t, bytes: 1);
        history.Sample(1000);
        var series = Json(history).GetProperty("events_per_second").EnumerateArray().ToList();
        Assert.Equal(ConsoleHistory.MaxSeriesPerChart, series.Count);
        Assert.Equal("t10", series[0].GetProperty("tenant").GetString());
        Assert.Equal("other", series[^1].GetProperty("tenant").GetString());
        // t0…t3: the four quietest.
        Assert.Equal([100.0 + 101 + 102 + 103], Values(series[^1]));
    }

    [Fact]
    public void Only_the_last_samples_are_kept()
    {
        var history = History(capacity: 3);
        for (int i = 0; i < 10; i++) history.Sample(i * 1000);
        Assert.Equal([8.0, 9.0], Json(history).GetProperty("time").EnumerateArray().Select(t => t.GetDouble()));
    }

    [Fact]
    public void Latency_is_the_mean_and_the_p99_bucket_bound_of_that_seconds_observations()
    {
        var history = History();
        history.Sample(0);
        for (int i = 0; i < 99; i++) _metrics.BlockWriteSeconds.Observe(0.0002);
        _metrics.BlockWriteSeconds.Observe(0.0202);
        history.Sample(1000);
        history.Sample(2000);
        var write = Json(history).GetProperty("block_write_seconds");
        Assert.Equal(0.0004, write.GetProperty("mean")[0].GetDouble(), 6);
        Assert.Equal(0.00025, write.GetProperty("p99")[0].GetDouble());
        // A second without blocks written has no latency rather than zero.
        Assert.Equal(JsonValueKind.Null, write.GetProperty("mean")[1].ValueKind);
        Assert.Equal(JsonValueKind.Null, Json(history).GetProperty("fsync_seconds").GetProperty("p99")[0].ValueKind);
    }

    [Fact]
    public void Gauges_are_shown_as_sampled()
    {
        var history = History();
        history.Sample(0);
        _gauges = _gauges with { RingUsed = 250, Segments = 3, SegmentBytes = 4096 };
        history.Sample(1000);
        var o = Json(history);
        Assert.Equal(1000, o.GetProperty("ring_capacity_bytes").GetInt64());
        Assert.Equal(250, o.GetProperty("ring_used_bytes")[0].GetInt64());
        Assert.Equal(3, o.GetProperty("segments")[0].GetInt64());
        Assert.Equal(4096, o.GetProperty("segment_bytes")[0].GetInt64());
    }

    [Fact]
    public void Output_lag_appears_once_an_output_exists_and_is_null_before()
    {
        var history = History();
        history.Sample(0);
        history.Sample(1000);
        var stats = _metrics.Outputs.GetOrAdd("archive", _ => new OutputStats());
        stats.SetLag(42, oldestReceivedNs: 500_000_000);
        history.Sample(2000);
        var output = Assert.Single(Json(history).GetProperty("outputs").EnumerateArray());
        Assert.Equal("archive", output.GetProperty("output").GetString());
        Assert.Equal(JsonValueKind.Null, output.GetProperty("lag_events")[0].ValueKind);
        Assert.Equal(42, output.GetProperty("lag_events")[1].GetInt64());
        Assert.Equal(1.5, output.GetProperty("lag_seconds")[1].GetDouble());
    }
}
