using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ingestd.Bench.Load;

namespace Ingestd.Bench.Compare;

/// <summary>One minute of the soak: the load generator's view and the daemon's own counters over that minute.</summary>
internal sealed record SoakMinute(int Minute, LoadResult Load, long RssBytes, long Gen0, long Gen1, long Gen2, double AllocatedBytesPerEvent);

/// <summary>
/// The long run of the latency issue: one ingestd process, after the saturating warm-up, paced for N minutes, measured
/// minute by minute so that slow drift shows (throughput and p99 per minute, resident memory and collections flat).
/// Reads the daemon's own <c>/metrics</c> (GC counts, allocated bytes, RSS) before and after each minute.
/// </summary>
internal static class SoakRun
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public static async Task<IReadOnlyList<SoakMinute>> RunAsync(Workload paced, int minutes, CompareEnvironment env, int serverCpu, string runDir)
    {
        var shape = paced.Shapes[BenchServer.IngestdWrite];
        await using var server = await ComparedServer.StartAsync(BenchServer.IngestdWrite, env, runDir, serverCpu);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metricsUrl = new Uri($"http://127.0.0.1:{server.Port}/metrics");
        var load = new LoadOptions
        {
            Url = new Uri($"http://127.0.0.1:{server.Port}{shape.Path}"),
            Body = paced.Body,
            Headers = shape.Headers,
            ContentType = shape.ContentType,
            Connections = 64,
            Duration = TimeSpan.FromSeconds(8),
            EventsPerRequest = paced.EventsPerRequest,
            ServerPid = server.Pid,
            RequestTimeout = TimeSpan.FromSeconds(30),
        };
        await LoadGenerator.RunAsync(load);

        // One run on the same 64 connections throughout, reported minute by minute: shippers keep their connections,
        // and reconnecting every minute (as this soak once did) made each minute's GC the connections' set-up.
        var counters = new List<DaemonCounters> { DaemonCounters.Parse(await http.GetStringAsync(metricsUrl)) };
        var clock = Stopwatch.StartNew();
        var run = LoadGenerator.RunAsync(load with { Duration = Minute * minutes, Rate = paced.Rate, Slice = Minute });
        for (int m = 1; m <= minutes; m++)
        {
            var wait = Minute * m - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            counters.Add(DaemonCounters.Parse(await http.GetStringAsync(metricsUrl)));
            var (before, after) = (counters[m - 1], counters[m]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"soak minute {m}: rss {after.RssBytes / 1048576.0:0} MiB  gc {after.Gen0 - before.Gen0}/{after.Gen1 - before.Gen1}/{after.Gen2 - before.Gen2}"));
        }
        var whole = await run;
        var result = new List<SoakMinute>();
        for (int m = 1; m <= minutes && m <= whole.Slices.Count; m++)
        {
            var (minute, before, after) = (whole.Slices[m - 1], counters[m - 1], counters[m]);
            long events = minute.Ok2xx * paced.EventsPerRequest;
            result.Add(new SoakMinute(m, minute, after.RssBytes, after.Gen0 - before.Gen0, after.Gen1 - before.Gen1, after.Gen2 - before.Gen2,
                events > 0 ? (double)(after.AllocatedBytes - before.AllocatedBytes) / events : double.NaN));
        }
        return result;
    }

    public static string Markdown(IReadOnlyList<SoakMinute> minutes, Workload paced)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append(inv, $"Soak: ingestd-write, one process, `{paced.Name}` for {minutes.Count} minute(s) after the saturating warm-up, on the same 64 connections throughout; per minute (GC counts and allocation from the daemon's `/metrics`, which the scrape itself adds to):\n\n");
        md.Append("| Minute | Events/s | p50 ms | p99 ms | p99.9 ms | max ms | RSS | gen0 / gen1 / gen2 | allocated B/event | non-2xx / errors |\n");
        md.Append("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
        foreach (var m in minutes)
        {
            var r = m.Load;
            md.Append(inv, $"| {m.Minute} | {r.EventsPerSecond:#,0} | {r.P50Ms:0.00} | {r.P99Ms:0.0} | {r.P999Ms:0.0} | {r.MaxMs:0.0} | {m.RssBytes / 1048576.0:0} MiB ");
            md.Append(inv, $"| {m.Gen0} / {m.Gen1} / {m.Gen2} | {m.AllocatedBytesPerEvent:0.00} | {r.NonSuccessByStatus.Values.Sum()} / {r.Errors} |\n");
        }
        md.Append('\n');
        return md.ToString();
    }

    /// <summary>The few lines of the daemon's Prometheus text the soak follows.</summary>
    private sealed record DaemonCounters(long Gen0, long Gen1, long Gen2, long AllocatedBytes, long RssBytes)
    {
        public static DaemonCounters Parse(string text)
        {
            long gen0 = 0, gen1 = 0, gen2 = 0, allocated = 0, rss = 0;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith('#')) continue;
                int space = line.LastIndexOf(' ');
                if (space < 0 || !double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) continue;
                string name = line[..space];
                switch (name)
                {
                    case "dotnet_gc_collections_total{generation=\"0\"}": gen0 = (long)value; break;
                    case "dotnet_gc_collections_total{generation=\"1\"}": gen1 = (long)value; break;
                    case "dotnet_gc_collections_total{generation=\"2\"}": gen2 = (long)value; break;
                    case "dotnet_gc_allocated_bytes_total": allocated = (long)value; break;
                    case "process_resident_memory_bytes": rss = (long)value; break;
                }
            }
            return new DaemonCounters(gen0, gen1, gen2, allocated, rss);
        }
    }
}
