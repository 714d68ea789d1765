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
        foreach (var r in rows)
        {
            var ordinary = rows.FirstOrDefault(o => o.Server == BenchServer.KestrelOrdinary.Name() && o.Workload == r.Workload && o.Connections == r.Connections);
            var hosted = rows.FirstOrDefault(o => o.Server == BenchServer.KestrelIngestd.Name() && o.Workload == r.Workload && o.Connections == r.Connections);
            md.Append(inv, $"| {r.Server} | {r.Workload} | {r.Connections} | {Num(r.MedianEventsPerSecond)} | {Num(r.MinEventsPerSecond)}–{Num(r.MaxEventsPerSecond)} | {r.MedianP99Ms:0.0} ");
            md.Append(inv, $"| {(r.MedianCpuSeconds is { } cpu ? cpu.ToString("0.00", inv) : "—")} | {(r.MedianEventsPerCpuSecond is { } epc ? Num(epc) : "—")} ");
            md.Append(inv, $"| {(r.PeakRssBytes is { } rss ? (rss / (1024.0 * 1024)).ToString("0", inv) + " MiB" : "—")} | {Ratio(r, ordinary)} | {Ratio(r, hosted)} ");
            md.Append(inv, $"| {r.NonSuccess} / {r.Errors}{(r.FailedRuns > 0 ? $" ({r.FailedRuns} runs failed)" : "")} |\n");
        }
        md.Append('\n');
        md.Append(inv, $"![events/s against connections, drain-500](results/{PlotFile})\n");
        return md.ToString();
    }

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
