using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Ingestd.Bench.Compare;

/// <summary>The Markdown table (medians, spread, ratios) and the description of the machine.</summary>
internal static class CompareReport
{
    public const string PlotFile = "events-vs-connections.svg";

    public static string Markdown(IReadOnlyList<CompareRow> rows, CompareSettings settings, CompareEnvironment env, IReadOnlyList<Workload> workloads, IReadOnlyList<string> notes)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.Append(inv, $"Machine: {Machine()}. Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(settings.Quick ? " (`--quick`)" : "")}; load average at the end {LoadAverage()} (anything near or above the core count means other work shared the cores).\n\n");
        md.Append(inv, $"Each server pinned to core {settings.ServerCpu} (`taskset`), the load generator to core {settings.LoadCpu}; ");
        md.Append(inv, $"per case the servers alternate A/B/… for {settings.Rounds} round(s) of {settings.Duration.TotalSeconds:0} s after {settings.Warmup.TotalSeconds:0} s warm-up, each run on a fresh process and data directory. ");
        md.Append(inv, $"Events/s and p99 are medians over the rounds; spread is min–max. ingestd: `{env.IngestdDescription}`.\n\n");
        foreach (var w in workloads) md.Append(inv, $"- `{w.Name}`: {w.Description}\n");
        foreach (var n in notes) md.Append(inv, $"- {n}\n");
        md.Append('\n');
        md.Append("| Server | Workload | Conns | Events/s (median) | Spread (min–max) | p99 ms | Server CPU-s | Events/CPU-s | Peak RSS | vs kestrel-ordinary | vs kestrel-ingestd | non-2xx / errors |\n");
        md.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        var pacedNames = workloads.Where(w => w.Rate is not null).Select(w => w.Name).ToHashSet();
        foreach (var r in rows.Where(r => !pacedNames.Contains(r.Workload)))
        {
            var ordinary = rows.FirstOrDefault(o => o.Server == BenchServer.KestrelOrdinary.Name() && o.Workload == r.Workload && o.Connections == r.Connections);
            var hosted = rows.FirstOrDefault(o => o.Server == BenchServer.KestrelIngestd.Name() && o.Workload == r.Workload && o.Connections == r.Connections);
            md.Append(inv, $"| {r.Server} | {r.Workload} | {r.Connections} | {Num(r.MedianEventsPerSecond)} | {Num(r.MinEventsPerSecond)}–{Num(r.MaxEventsPerSecond)} | {r.MedianP99Ms:0.0} ");
            md.Append(inv, $"| {(r.MedianCpuSeconds is { } cpu ? cpu.ToString("0.00", inv) : "—")} | {(r.MedianEventsPerCpuSecond is { } epc ? Num(epc) : "—")} ");
            md.Append(inv, $"| {(r.PeakRssBytes is { } rss ? (rss / (1024.0 * 1024)).ToString("0", inv) + " MiB" : "—")} | {Ratio(r, ordinary)} | {Ratio(r, hosted)} ");
            md.Append(inv, $"| {r.NonSuccess} / {r.Errors}{(r.FailedRuns > 0 ? $" ({r.FailedRuns} runs failed)" : "")} |\n");
        }
        md.Append('\n');
        var pacedRows = rows.Where(r => pacedNames.Contains(r.Workload)).ToList();
        AppendPipeline(md, rows);
        AppendLatency(md, pacedRows, workloads);
        AppendQueryLoad(md, pacedRows, workloads);
        md.Append(inv, $"![events/s against connections, drain-500](results/{PlotFile})\n");
        return md.ToString();
    }

    /// <summary>
    /// Issue #12's row: ingestd-pipeline against ingestd-write on the same body, the same rounds (alternating): the share
    /// of events/s kept and the pipeline's CPU per event (the difference of the two servers' CPU per event).
    /// </summary>
    private static void AppendPipeline(StringBuilder md, IReadOnlyList<CompareRow> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var with in rows.Where(r => r.Server == BenchServer.IngestdPipeline.Name()))
        {
            var none = rows.FirstOrDefault(o => o.Server == BenchServer.IngestdWrite.Name() && o.Workload == with.Workload && o.Connections == with.Connections);
            if (none is null || none.MedianEventsPerSecond <= 0) continue;
            md.Append(inv, $"Pipeline ({with.Workload} @ {with.Connections}): {Num(with.MedianEventsPerSecond)} events/s with it, {Num(none.MedianEventsPerSecond)} without (×{with.MedianEventsPerSecond / none.MedianEventsPerSecond:0.00})");
            if (with.MedianEventsPerCpuSecond is { } w && none.MedianEventsPerCpuSecond is { } n && w > 0 && n > 0)
                md.Append(inv, $"; server CPU per event {1e6 / w:0.00} µs against {1e6 / n:0.00} µs: the pipeline costs {1e6 / w - 1e6 / n:0.00} µs per event");
            md.Append(".\n\n");
        }
    }

    /// <summary>
    /// The paced rows: the latency distribution at a load below saturation, against nginx discarding the same bodies
    /// in the same run, with the latency issue's targets: p99 ≤ max(3 ms, 2 × nginx's p99), p99.9 ≤ max(10 ms, 2 × nginx's p99.9).
    /// </summary>
    private static void AppendLatency(StringBuilder md, IReadOnlyList<CompareRow> rows, IReadOnlyList<Workload> workloads)
    {
        if (rows.Count == 0) return;
        var inv = CultureInfo.InvariantCulture;
        md.Append("Latency at a paced load (64 connections; ms, medians over the rounds; p99 spread min–max; targets: p99 ≤ max(3, 2 × nginx), p99.9 ≤ max(10, 2 × nginx)):\n\n");
        md.Append("| Server | Workload | Events/s | p50 | p99 | p99 spread | p99.9 | max | p99 / nginx | p99.9 / nginx | target | non-2xx / errors |\n");
        md.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
        foreach (var r in rows)
        {
            // A variant (the same load plus queries) is held to the target of the load it varies.
            string baseline = workloads.FirstOrDefault(w => w.Name == r.Workload)?.BaseName ?? r.Workload;
            var nginx = rows.FirstOrDefault(o => o.Server == BenchServer.Nginx.Name() && o.Workload == baseline);
            string target = "—";
            if (nginx is not null && r.Server != nginx.Server)
            {
                bool p99 = r.MedianP99Ms <= Math.Max(3, 2 * nginx.MedianP99Ms);
                bool p999 = r.MedianP999Ms <= Math.Max(10, 2 * nginx.MedianP999Ms);
                target = p99 && p999 ? "met" : $"missed ({(p99 ? "" : "p99")}{(!p99 && !p999 ? ", " : "")}{(p999 ? "" : "p99.9")})";
            }
            md.Append(inv, $"| {r.Server} | {r.Workload} | {Num(r.MedianEventsPerSecond)} | {r.MedianP50Ms:0.00} | {r.MedianP99Ms:0.0} | {r.MinP99Ms:0.0}–{r.MaxP99Ms:0.0} | {r.MedianP999Ms:0.0} | {r.MedianMaxMs:0.0} ");
            md.Append(inv, $"| {LatencyRatio(r.MedianP99Ms, nginx?.MedianP99Ms)} | {LatencyRatio(r.MedianP999Ms, nginx?.MedianP999Ms)} | {target} ");
            md.Append(inv, $"| {r.NonSuccess} / {r.Errors}{(r.FailedRuns > 0 ? $" ({r.FailedRuns} runs failed)" : "")} |\n");
        }
        md.Append('\n');
    }

    /// <summary>
    /// The ingest latency with the query client running, next to the same server's plain paced rows of the same run
    /// (alternated with it round by round), and how many queries were answered meanwhile.
    /// </summary>
    private static void AppendQueryLoad(StringBuilder md, IReadOnlyList<CompareRow> rows, IReadOnlyList<Workload> workloads)
    {
        var variants = workloads.Where(w => w.QueryLoad && w.BaseName is not null).ToList();
        var lines = new List<(CompareRow Plain, CompareRow Loaded)>();
        foreach (var w in variants)
            foreach (var loaded in rows.Where(r => r.Workload == w.Name))
                if (rows.FirstOrDefault(r => r.Workload == w.BaseName && r.Server == loaded.Server) is { } plain)
                    lines.Add((plain, loaded));
        if (lines.Count == 0) return;
        var inv = CultureInfo.InvariantCulture;
        md.Append("Ingest latency while a client queries the same daemon (ms, medians over the rounds; the two alternate within each round; server p99: the daemon's own, complete head → answer handed to the socket, from its `/metrics`):\n\n");
        md.Append("| Server | Workload | p50 | p99 | p99.9 | max | server p99 | Queries/s answered | truncated / failed | p99 with ÷ without queries |\n");
        md.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (plain, loaded) in lines)
        {
            foreach (var r in new[] { plain, loaded })
            {
                md.Append(inv, $"| {r.Server} | {r.Workload} | {r.MedianP50Ms:0.00} | {r.MedianP99Ms:0.0} | {r.MedianP999Ms:0.0} | {r.MedianMaxMs:0.0} ");
                md.Append(inv, $"| {(r.MedianServerP99Ms is { } served ? served.ToString("0.0", inv) : "—")} ");
                md.Append(inv, $"| {(r.MedianQueriesPerSecond is { } q ? q.ToString("0.0", inv) : "—")} | {(ReferenceEquals(r, loaded) ? $"{r.QueriesTruncated} / {r.QueryFailures}" : "—")} ");
                md.Append(inv, $"| {(ReferenceEquals(r, loaded) ? LatencyRatio(loaded.MedianP99Ms, plain.MedianP99Ms) : "")} |\n");
            }
        }
        md.Append('\n');
    }

    private static string LatencyRatio(double value, double? baseline) =>
        baseline is double b && b > 0 && !double.IsNaN(value) ? (value / b).ToString("0.0", CultureInfo.InvariantCulture) + "×" : "—";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string Num(double v) => double.IsNaN(v) ? "—" : v.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Ratio(CompareRow row, CompareRow? baseline)
    {
        if (baseline is null || baseline.MedianEventsPerSecond <= 0 || double.IsNaN(row.MedianEventsPerSecond)) return "—";
        return (row.MedianEventsPerSecond / baseline.MedianEventsPerSecond).ToString("0.00", CultureInfo.InvariantCulture) + "×";
    }

    private static string Machine()
    {
        string cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }
        string memory = "";
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            long kb = long.Parse(line[9..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            memory = $", {kb / 1024.0 / 1024:0} GiB";
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException)
        {
        }
        string os = RuntimeInformation.OSDescription;
        try
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null) os = pretty[12..].Trim('"');
        }
        catch (IOException)
        {
        }
        int cores = ProcessorCountOfMachine();
        return $"{cpu}, {cores} cores{memory}, {os}, {RuntimeInformation.FrameworkDescription}";
    }

    // Environment.ProcessorCount honours the affinity mask this process runs under; count the machine's.
    private static int ProcessorCountOfMachine()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return Environment.ProcessorCount;
        }
    }
}
