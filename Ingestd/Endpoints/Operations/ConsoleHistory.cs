using System.Text.Json;
using Ingestd.Diagnostics;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Operations;

/// <summary>
/// The last minutes of the daemon's figures, one sample a second (the server's heartbeat takes them), so the console's
/// charts show history as soon as the page opens rather than from the moment it started polling. Cold path: a sample
/// copies the counters <see cref="Metrics"/> already keeps; nothing is added to the request path. Storage is columnar
/// (one array per series), a few kB per tenant and dialect.
/// </summary>
internal sealed class ConsoleHistory
{
    /// <summary>Per chart, the busiest series are drawn; the rest are summed into one "other" line.</summary>
    internal const int MaxSeriesPerChart = 8;

    private readonly Metrics _metrics;
    private readonly Func<ServerGauges> _gauges;
    private readonly int _capacity;
    private readonly Lock _lock = new();

    // Slot i of every array belongs to the same sample; _next is where the next sample goes, _count how many are kept.
    private readonly long[] _timeMs;
    private readonly long[] _ringUsed;
    private readonly long[] _segments;
    private readonly long[] _segmentBytes;
    private readonly HistogramColumn _write;
    private readonly HistogramColumn _fsync;
    private readonly Dictionary<(Dialect Dialect, string Tenant), (long[] Events, long[] Bytes)> _traffic = new();
    private readonly Dictionary<string, (long[] Events, double[] Seconds)> _outputLag = new(StringComparer.Ordinal);
    private long _ringCapacity;
    private int _next;
    private int _count;

    public ConsoleHistory(Metrics metrics, Func<ServerGauges> gauges, int capacity = 301)
    {
        _metrics = metrics;
        _gauges = gauges;
        _capacity = capacity;
        _timeMs = new long[capacity];
        _ringUsed = new long[capacity];
        _segments = new long[capacity];
        _segmentBytes = new long[capacity];
        _write = new HistogramColumn(metrics.BlockWriteSeconds, capacity);
        _fsync = new HistogramColumn(metrics.FsyncSeconds, capacity);
    }

    /// <summary>Records the counters and gauges as they are now (once a second).</summary>
    public void Sample(long unixMs)
    {
        var g = _gauges();
        lock (_lock)
        {
            int slot = _next;
            _timeMs[slot] = unixMs;
            _ringCapacity = g.RingCapacity;
            _ringUsed[slot] = g.RingUsed;
            _segments[slot] = g.Segments;
            _segmentBytes[slot] = g.SegmentBytes;
            _write.Take(slot);
            _fsync.Take(slot);
            // A series seen for the first time had a zero counter before: its earlier slots stay 0.
            foreach (var (key, counter) in _metrics.EventsByTenant)
                Traffic(key).Events[slot] = counter.Value;
            foreach (var (key, counter) in _metrics.BytesByTenant)
                Traffic(key).Bytes[slot] = counter.Value;
            long nowNs = unixMs * 1_000_000;
            foreach (var (name, stats) in _metrics.Outputs)
            {
                if (!_outputLag.TryGetValue(name, out var lag))
                {
                    lag = (new long[_capacity], new double[_capacity]);
                    Array.Fill(lag.Events, -1);
                    _outputLag[name] = lag;
                }
                lag.Events[slot] = stats.LagEvents;
                lag.Seconds[slot] = stats.LagSeconds(nowNs);
            }
            _next = (slot + 1) % _capacity;
            if (_count < _capacity) _count++;
        }
    }

    private (long[] Events, long[] Bytes) Traffic((Dialect, string) key)
    {
        if (!_traffic.TryGetValue(key, out var arrays))
        {
            arrays = (new long[_capacity], new long[_capacity]);
            _traffic[key] = arrays;
        }
        return arrays;
    }

    /// <summary>
    /// Writes the overview JSON: rates per second between consecutive samples, gauges as sampled. With
    /// <paramref name="tenant"/> only that tenant's traffic appears; the daemon-wide figures (ring, latency, disk,
    /// outputs) are shown to every caller.
    /// </summary>
    public void WriteJson(Utf8JsonWriter json, string? tenant)
    {
        lock (_lock)
        {
            // Oldest first; the first sample only anchors the first rate.
            int n = _count;
            var slots = new int[n];
            for (int i = 0; i < n; i++) slots[i] = (_next - n + i + _capacity) % _capacity;

            json.WriteStartObject();
            json.WriteNumber("interval_seconds", 1);
            json.WritePropertyName("time");
            json.WriteStartArray();
            for (int i = 1; i < n; i++) json.WriteNumberValue(_timeMs[slots[i]] / 1000.0);
            json.WriteEndArray();

            WriteTraffic(json, "events_per_second", slots, tenant, bytes: false);
            WriteTraffic(json, "bytes_per_second", slots, tenant, bytes: true);

            json.WriteNumber("ring_capacity_bytes", _ringCapacity);
            WriteGauge(json, "ring_used_bytes", _ringUsed, slots);
            _write.WriteJson(json, "block_write_seconds", slots);
            _fsync.WriteJson(json, "fsync_seconds", slots);
            WriteGauge(json, "segments", _segments, slots);
            WriteGauge(json, "segment_bytes", _segmentBytes, slots);

            json.WritePropertyName("outputs");
            json.WriteStartArray();
            foreach (var (name, lag) in _outputLag.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("output", name);
                json.WritePropertyName("lag_events");
                json.WriteStartArray();
                for (int i = 1; i < n; i++)
                {
                    long v = lag.Events[slots[i]];
                    if (v < 0) json.WriteNullValue(); else json.WriteNumberValue(v);
                }
                json.WriteEndArray();
                json.WritePropertyName("lag_seconds");
                json.WriteStartArray();
                for (int i = 1; i < n; i++)
                {
                    if (lag.Events[slots[i]] < 0) json.WriteNullValue(); else json.WriteNumberValue(Math.Round(lag.Seconds[slots[i]], 3));
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static void WriteGauge(Utf8JsonWriter json, string name, long[] values, int[] slots)
    {
        json.WritePropertyName(name);
        json.WriteStartArray();
        for (int i = 1; i < slots.Length; i++) json.WriteNumberValue(values[slots[i]]);
        json.WriteEndArray();
    }

    private void WriteTraffic(Utf8JsonWriter json, string name, int[] slots, string? tenant, bool bytes)
    {
        int n = slots.Length;
        var series = new List<(string Dialect, string Tenant, double[] Rates, double Total)>();
        foreach (var (key, arrays) in _traffic)
        {
            if (tenant is not null && key.Tenant != tenant) continue;
            var counter = bytes ? arrays.Bytes : arrays.Events;
            var rates = new double[Math.Max(0, n - 1)];
            double total = 0;
            for (int i = 1; i < n; i++)
            {
                double seconds = Math.Max(0.001, (_timeMs[slots[i]] - _timeMs[slots[i - 1]]) / 1000.0);
                rates[i - 1] = Math.Max(0, counter[slots[i]] - counter[slots[i - 1]]) / seconds;
                total += rates[i - 1];
            }
            series.Add((RecordNames.Of(key.Dialect), key.Tenant, rates, total));
        }
        // Busiest first (then by name, so the colours stay put between polls); the tail summed into "other".
        series.Sort((a, b) => b.Total != a.Total ? b.Total.CompareTo(a.Total)
            : string.CompareOrdinal(a.Dialect + "/" + a.Tenant, b.Dialect + "/" + b.Tenant));
        if (series.Count > MaxSeriesPerChart)
        {
            var other = new double[Math.Max(0, n - 1)];
            double total = 0;
            for (int s = MaxSeriesPerChart - 1; s < series.Count; s++)
            {
                for (int i = 0; i < other.Length; i++) other[i] += series[s].Rates[i];
                total += series[s].Total;
            }
            series.RemoveRange(MaxSeriesPerChart - 1, series.Count - MaxSeriesPerChart + 1);
            series.Add(("other", "other", other, total));
        }

        json.WritePropertyName(name);
        json.WriteStartArray();
        foreach (var s in series)
        {
            json.WriteStartObject();
            json.WriteString("dialect", s.Dialect);
            json.WriteString("tenant", s.Tenant);
            json.WritePropertyName("values");
            json.WriteStartArray();
            foreach (var v in s.Rates) json.WriteNumberValue(Math.Round(v, 2));
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// A latency histogram's cumulative count, sum and buckets per sample; between two samples it gives the mean and an
    /// upper bound of the 99th percentile (the bucket bound it falls under) of the observations in that second.
    /// </summary>
    private sealed class HistogramColumn(Metrics.Histogram histogram, int capacity)
    {
        private readonly long[] _count = new long[capacity];
        private readonly double[] _sum = new double[capacity];
        private readonly long[][] _buckets = CreateBuckets(capacity, histogram.Bounds.Count + 1);

        private static long[][] CreateBuckets(int capacity, int buckets)
        {
            var rows = new long[capacity][];
            for (int i = 0; i < capacity; i++) rows[i] = new long[buckets];
            return rows;
        }

        public void Take(int slot)
        {
            _sum[slot] = histogram.Sum;
            long count = 0;
            for (int b = 0; b < _buckets[slot].Length; b++)
            {
                _buckets[slot][b] = histogram.BucketCount(b);
                count += _buckets[slot][b];
            }
            _count[slot] = count;
        }

        public void WriteJson(Utf8JsonWriter json, string name, int[] slots)
        {
            json.WritePropertyName(name);
            json.WriteStartObject();
            json.WritePropertyName("mean");
            json.WriteStartArray();
            for (int i = 1; i < slots.Length; i++)
            {
                long count = _count[slots[i]] - _count[slots[i - 1]];
                if (count <= 0) json.WriteNullValue();
                else json.WriteNumberValue(Math.Round((_sum[slots[i]] - _sum[slots[i - 1]]) / count, 6));
            }
            json.WriteEndArray();
            json.WritePropertyName("p99");
            json.WriteStartArray();
            for (int i = 1; i < slots.Length; i++) WriteP99(json, slots[i - 1], slots[i]);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        private void WriteP99(Utf8JsonWriter json, int before, int after)
        {
            long count = _count[after] - _count[before];
            if (count <= 0)
            {
                json.WriteNullValue();
                return;
            }
            long wanted = (long)Math.Ceiling(count * 0.99), seen = 0;
            var bounds = histogram.Bounds;
            for (int b = 0; b < bounds.Count; b++)
            {
                seen += _buckets[after][b] - _buckets[before][b];
                if (seen >= wanted)
                {
                    json.WriteNumberValue(bounds[b]);
                    return;
                }
            }
            // Beyond the last bound: the histogram cannot say how far, so the last bound stands as "at least".
            json.WriteNumberValue(bounds[^1]);
        }
    }
}
