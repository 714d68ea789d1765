// TEMP stub: stands in for the load generator another helper is writing (same API). It drives
// wrk instead. The lead drops this commit when the real Ingestd.Bench/Load lands.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ingestd.Bench.Load;

internal sealed record LoadOptions
{
    public required Uri Url { get; init; }
    public required byte[] Body { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public string? ContentEncoding { get; init; }
    public string ContentType { get; init; } = "application/json";
    public int Connections { get; init; } = 64;
    public TimeSpan Duration { get; init; }
    public TimeSpan Warmup { get; init; }
    public double? Rate { get; init; }
    public int EventsPerRequest { get; init; }
    public int? ServerPid { get; init; }
    public TimeSpan RequestTimeout { get; init; }
}

internal sealed record LoadResult
{
    public long Requests { get; init; }
    public long Ok2xx { get; init; }
    public IReadOnlyDictionary<int, long> NonSuccessByStatus { get; init; } = new Dictionary<int, long>();
    public long Errors { get; init; }
    public TimeSpan Elapsed { get; init; }
    public double RequestsPerSecond { get; init; }
    public double EventsPerSecond { get; init; }
    public double BodyMBPerSecond { get; init; }
    public double P50Ms { get; init; }
    public double P90Ms { get; init; }
    public double P99Ms { get; init; }
    public double P999Ms { get; init; }
    public double MaxMs { get; init; }
    public double MeanMs { get; init; }
    public double? ServerCpuSeconds { get; init; }
    public double? EventsPerCpuSecond { get; init; }
    public long? ServerPeakRssBytes { get; init; }
    public int EventsPerRequest { get; init; }
}

internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(LoadOptions options, CancellationToken ct = default)
    {
        string dir = Directory.CreateTempSubdirectory("wrk-stub-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "body"), options.Body);
            var lua = new StringBuilder();
            lua.Append("local f = assert(io.open(\"").Append(Path.Combine(dir, "body")).Append("\", \"rb\")); wrk.body = f:read(\"*a\"); f:close()\n");
            lua.Append("wrk.method = \"POST\"\n");
            lua.Append("wrk.headers[\"Content-Type\"] = \"").Append(options.ContentType).Append("\"\n");
            if (options.ContentEncoding is not null) lua.Append("wrk.headers[\"Content-Encoding\"] = \"").Append(options.ContentEncoding).Append("\"\n");
            foreach (var h in options.Headers) lua.Append("wrk.headers[\"").Append(h.Key).Append("\"] = \"").Append(h.Value).Append("\"\n");
            File.WriteAllText(Path.Combine(dir, "post.lua"), lua.ToString());
            if (options.Warmup > TimeSpan.Zero) await Wrk(options, dir, options.Warmup, ct);
            var cpu0 = CpuSeconds(options.ServerPid);
            var sw = Stopwatch.StartNew();
            string output = await Wrk(options, dir, options.Duration, ct);
            var elapsed = sw.Elapsed;
            var cpu1 = CpuSeconds(options.ServerPid);
            long requests = long.Parse(Regex.Match(output, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
            var non2xx = Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)");
            long bad = non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var errorsMatch = Regex.Match(output, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)");
            long errors = errorsMatch.Success ? Enumerable.Range(1, 4).Sum(i => long.Parse(errorsMatch.Groups[i].Value, CultureInfo.InvariantCulture)) : 0;
            var wrkTime = Regex.Match(output, @"requests in ([\d.]+)(\w+),");
            double seconds = Ms(wrkTime.Groups[1].Value, wrkTime.Groups[2].Value) / 1000;
            double rps = (requests - bad) / seconds;
            double? cpu = cpu0 is { } a && cpu1 is { } b ? b - a : null;
            long ok = requests - bad;
            return new LoadResult
            {
                Requests = requests,
                Ok2xx = ok,
                NonSuccessByStatus = bad > 0 ? new Dictionary<int, long> { [0] = bad } : new Dictionary<int, long>(),
                Errors = errors,
                Elapsed = elapsed,
                RequestsPerSecond = rps,
                EventsPerSecond = rps * options.EventsPerRequest,
                BodyMBPerSecond = rps * options.Body.Length / 1e6,
                P50Ms = Percentile(output, "50%"),
                P90Ms = Percentile(output, "90%"),
                P99Ms = Percentile(output, "99%"),
                P999Ms = Percentile(output, "99%"),
                MaxMs = LatencyStat(output, 3),
                MeanMs = LatencyStat(output, 1),
                ServerCpuSeconds = cpu,
                EventsPerCpuSecond = cpu > 0 ? ok * options.EventsPerRequest / cpu : null,
                ServerPeakRssBytes = PeakRss(options.ServerPid),
                EventsPerRequest = options.EventsPerRequest,
            };
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> Wrk(LoadOptions o, string dir, TimeSpan duration, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-t1", $"-c{o.Connections}", $"-d{Math.Max(1, (int)duration.TotalSeconds)}s", "--latency", "--timeout", "10s", "-s", Path.Combine(dir, "post.lua"), o.Url.ToString() })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return output;
    }

    private static double Percentile(string output, string label)
    {
        var m = Regex.Match(output, @"\s" + Regex.Escape(label) + @"\s+([\d.]+)(\w+)");
        return m.Success ? Ms(m.Groups[1].Value, m.Groups[2].Value) : double.NaN;
    }

    private static double LatencyStat(string output, int column)
    {
        var m = Regex.Match(output, @"Latency\s+([\d.]+)(\w+)\s+([\d.]+)(\w+)\s+([\d.]+)(\w+)");
        if (!m.Success) return double.NaN;
        return column == 1 ? Ms(m.Groups[1].Value, m.Groups[2].Value) : Ms(m.Groups[5].Value, m.Groups[6].Value);
    }

    private static double Ms(string value, string unit)
    {
        double v = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => v / 1000, "ms" => v, "s" => v * 1000, "m" => v * 60000, _ => v };
    }

    private static double? CpuSeconds(int? pid)
    {
        if (pid is null) return null;
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException) { return null; }
    }

    private static long? PeakRss(int? pid)
    {
        if (pid is null) return null;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return null;
    }
}
