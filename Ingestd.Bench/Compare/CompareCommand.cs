using System.Globalization;
using System.Text.Json;
using Ingestd.Bench.Load;
using Ingestd.Bench.Workload;

namespace Ingestd.Bench.Compare;

/// <summary>
/// <c>Ingestd.Bench compare [--duration 10s] [--warmup 2s] [--rounds 3] [--quick] [--out DIR]
/// [--servers a,b] [--workloads a,b] [--soak-minutes 10] [--repo DIR] [--workload DIR] [--no-pin] [--baseline PATH] [--soak-only]</c>:
/// every server on the same workloads, one at a time on one core with the load generator on the other, alternating
/// servers within each case so that drift on a shared machine hits them all alike. Writes
/// <c>compare.md</c>, <c>runs.json</c> and <c>events-vs-connections.svg</c> to the output directory.
/// <c>--quick</c>: one round of 3 s, 64 connections only, one paced rate, no soak. <c>--workloads</c>: only the cases of
/// these workloads (names as in the tables, e.g. <c>paced-300k,paced-300k+query</c>), and no soak. <c>--baseline PATH</c>
/// adds <c>ingestd-baseline</c>, another ingestd binary under write durability (e.g. main's build), alternating with the rest.
/// <c>--soak-only</c>: the soak alone (ingestd-write), for a look at collections and drift without the rest.
/// </summary>
internal static class CompareCommand
{
    private static readonly int[] DrainConnections = [8, 64, 256];

    // Paced rates in requests/s of drain-500: 100 k, 300 k and 500 k events/s.
    private static readonly double[] PacedRates = [200, 600, 1000];

    // The latency comparison is ingestd against nginx discarding the same bodies (the HTTP floor of the box).
    private static readonly BenchServer[] PacedServers = [BenchServer.IngestdWrite, BenchServer.IngestdFsync, BenchServer.Nginx, BenchServer.IngestdBaseline];

    // Closed-loop load before a paced case's own warm-up: enough for every JIT server to reach steady state.
    private static readonly TimeSpan PacedWarmup = TimeSpan.FromSeconds(8);

    public static int Run(string[] args)
    {
        CommandArgs options;
        try
        {
            options = new CommandArgs(args, "--quick", "--no-pin", "--soak-only");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"compare: {e.Message}");
            return 2;
        }
        int serverCpu = options.Int("--server-cpu", 0), loadCpu = options.Int("--load-cpu", 1);
        bool pin = !options.Has("--no-pin") && CpuPinning.TasksetAvailable && MachineCores() >= 2;
        if (pin && CpuPinning.ReexecPinned(loadCpu, ["compare", .. args]) is int exitCode) return exitCode;

        bool quick = options.Has("--quick");
        var env = CompareEnvironment.Locate(options.Get("--repo"), options.Get("--workload"), pin, options.Get("--baseline"));
        var settings = new CompareSettings
        {
            Quick = quick,
            SoakOnly = options.Has("--soak-only"),
            Duration = options.Duration("--duration", quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(10)),
            Warmup = options.Duration("--warmup", quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(2)),
            Rounds = options.Int("--rounds", quick ? 1 : 3),
            OutDir = Path.GetFullPath(options.Get("--out") ?? Path.Combine(env.RepoRoot, "Ingestd.Bench", "results")),
            ServerCpu = serverCpu,
            LoadCpu = loadCpu,
            SoakMinutes = options.Int("--soak-minutes", quick ? 0 : 10),
            Servers = options.Get("--servers")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            Workloads = options.Get("--workloads")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
        };
        if (!pin) Console.Error.WriteLine("compare: not pinning (taskset missing, one core, or --no-pin): numbers are not comparable with pinned runs");
        return RunAsync(settings, env).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(CompareSettings settings, CompareEnvironment env)
    {
        var notes = new List<string>();
        var drain500 = Workload.Drain500(env.WorkloadDir);
        var drain1 = Workload.Drain1(env.WorkloadDir);
        var gzip = Workload.NdjsonGzip(env.WorkloadDir);
        var paced = (settings.Quick ? [600.0] : PacedRates).Select(rate => Workload.Drain500Paced(drain500, rate)).ToList();
        // The query load rides on the 300 k events/s rate, the rate the query issue's target names.
        var pacedWithQueries = Workload.WithQueries(paced.First(w => w.Rate == 600));
        var jsonMessages = Workload.Drain500JsonMessages(env.WorkloadDir);
        var workloads = new List<Workload> { drain500 };
        workloads.AddRange(paced);
        workloads.Add(pacedWithQueries);
        workloads.AddRange([drain1, gzip]);
        if (jsonMessages is not null) workloads.Add(jsonMessages);

        var servers = Enum.GetValues<BenchServer>().Where(s => settings.Servers.Count == 0 || settings.Servers.Contains(s.Name())).ToList();
        if (env.BaselineCommand is null) servers.Remove(BenchServer.IngestdBaseline);
        else notes.Add($"ingestd-baseline: `{string.Join(' ', env.BaselineCommand)}` under write durability, the same configuration as ingestd-write.");
        if (servers.Contains(BenchServer.Nginx) && !NginxServer.IsInstalled)
        {
            servers.Remove(BenchServer.Nginx);
            notes.Add("nginx: skipped, not installed (`scripts/install-bench-deps.sh` installs it).");
        }
        else if (servers.Contains(BenchServer.Nginx))
        {
            notes.Add("nginx: one worker, reads each body into memory (via `mirror_request_body`) and answers 202: the HTTP ceiling of this box, not an ingest server.");
        }
        notes.Add("kestrel-ordinary acknowledges once events are in its in-memory channel; ingestd-write once they are written to the segment file, ingestd-fsync once fsynced.");

        // Cases in one group alternate within each round: the run with queries sits between runs without them.
        var groups = new List<List<(Workload Workload, int Connections)>>();
        foreach (int c in settings.Quick ? [64] : DrainConnections) groups.Add([(drain500, c)]);
        foreach (var p in paced) groups.Add(p.Name == pacedWithQueries.BaseName ? [(p, 64), (pacedWithQueries, 64)] : [(p, 64)]);
        groups.Add([(drain1, 64)]);
        groups.Add([(gzip, 64)]);
        // The issue #12 pipeline against none, one case: ingestd-write and ingestd-pipeline alternate in each round.
        if (jsonMessages is not null) groups.Add([(jsonMessages, 64)]);
        else if (servers.Contains(BenchServer.IngestdPipeline)) notes.Add($"ingestd-pipeline: skipped, the workload directory lacks `{ReferenceWorkload.DrainJsonMessagesFile}` or `{Workload.PipelineConfigFile}`.");
        if (settings.Workloads.Count > 0)
        {
            var unknown = settings.Workloads.Where(n => workloads.All(w => w.Name != n)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"compare: unknown workload(s) {string.Join(", ", unknown)}; known: {string.Join(", ", workloads.Select(w => w.Name))}");
                return 2;
            }
            groups = groups.Select(g => g.Where(c => settings.Workloads.Contains(c.Workload.Name)).ToList()).Where(g => g.Count > 0).ToList();
            workloads = workloads.Where(w => settings.Workloads.Contains(w.Name)).ToList();
        }

        var runs = new List<CompareRun>();
        IReadOnlyList<SoakMinute> soak = [];
        var soakWorkload = paced.First(w => w.Rate == 600);
        string tempRoot = Directory.CreateTempSubdirectory("ingestd-compare-").FullName;
        try
        {
            foreach (var group in settings.SoakOnly ? [] : groups)
            {
                for (int round = 1; round <= settings.Rounds; round++)
                {
                    foreach (var (workload, connections) in group)
                    {
                        foreach (var server in servers.Where(s => workload.Shapes.ContainsKey(s) && (workload.Rate is null || PacedServers.Contains(s))))
                        {
                            var run = await RunOnceAsync(server, workload, connections, round, settings, env, tempRoot);
                            runs.Add(run);
                            Console.WriteLine(Progress(run));
                        }
                    }
                }
            }
            // A run restricted to some workloads is a focused look: the long soak is left out.
            if (settings.SoakMinutes > 0 && (settings.SoakOnly || servers.Contains(BenchServer.IngestdWrite) && settings.Workloads.Count == 0))
            {
                try
                {
                    soak = await SoakRun.RunAsync(soakWorkload, settings.SoakMinutes, env, settings.ServerCpu, Path.Combine(tempRoot, "soak"));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    notes.Add($"soak: failed: {e.Message}");
                }
            }
        }
        finally
        {
            Directory.Delete(tempRoot, recursive: true);
        }

        var rows = runs.GroupBy(r => (r.Workload, r.Connections, r.Server))
            .Select(g => CompareRow.From(g.ToList()))
            .OrderBy(r => workloads.FindIndex(w => w.Name == r.Workload))
            .ThenBy(r => r.Connections)
            .ThenBy(r => servers.FindIndex(s => s.Name() == r.Server))
            .ToList();

        Directory.CreateDirectory(settings.OutDir);
        string markdown = CompareReport.Markdown(rows, settings, env, workloads, notes);
        if (soak.Count > 0) markdown += "\n" + SoakRun.Markdown(soak, soakWorkload);
        await File.WriteAllTextAsync(Path.Combine(settings.OutDir, "compare.md"), markdown);
        await File.WriteAllTextAsync(Path.Combine(settings.OutDir, "runs.json"),
            JsonSerializer.Serialize(runs, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        await File.WriteAllTextAsync(Path.Combine(settings.OutDir, CompareReport.PlotFile),
            SvgPlot.EventsVsConnections("drain-500: events/s against connections (one server core)", rows.Where(r => r.Workload == drain500.Name).ToList()));
        Console.WriteLine();
        Console.Write(markdown);
        Console.WriteLine();
        Console.WriteLine($"written to {settings.OutDir}");
        return runs.Any(r => r.Result is null) ? 1 : 0;
    }

    private static async Task<CompareRun> RunOnceAsync(BenchServer server, Workload workload, int connections, int round,
        CompareSettings settings, CompareEnvironment env, string tempRoot)
    {
        string runDir = Path.Combine(tempRoot, $"{server.Name()}-{workload.Name}-{connections}-{round}");
        var shape = workload.Shapes[server];
        try
        {
            await using var process = await ComparedServer.StartAsync(server, env, runDir, settings.ServerCpu);
            var load = new LoadOptions
            {
                Url = new Uri($"http://127.0.0.1:{process.Port}{shape.Path}"),
                Body = workload.Body,
                Headers = shape.Headers,
                ContentType = shape.ContentType,
                ContentEncoding = shape.ContentEncoding,
                Connections = connections,
                Duration = settings.Duration,
                Warmup = settings.Warmup,
                EventsPerRequest = workload.EventsPerRequest,
                Rate = workload.Rate,
                ServerPid = process.Pid,
                RequestTimeout = TimeSpan.FromSeconds(30),
            };
            // The query client starts with the saturating warm-up, so that the query code too runs tier-1 (and its
            // one-time JIT work is done) before the paced load is measured, and stops when the load does.
            using var queryLoop = workload.QueryLoad ? QueryLoopProcess.Start(process.Port, OrdinaryKestrelServer.Token) : null;
            try
            {
                // A paced run measures latency below saturation; a JIT server must first get its hot code
                // to tier 1, which a few seconds at the paced rate do not do for Kestrel's larger code.
                if (workload.Rate is not null || workload.Prewarm is not null)
                    await LoadGenerator.RunAsync(load with { Duration = workload.Prewarm ?? PacedWarmup, Warmup = TimeSpan.Zero, Rate = null });
                // Queries answered are counted over the paced run (its own short warm-up included).
                queryLoop?.Restart();
                var served = server == BenchServer.Nginx ? null : await ServerLatency.ScrapeAsync(process.Port);
                var result = await LoadGenerator.RunAsync(load);
                var queries = queryLoop is null ? null : await queryLoop.StopAsync();
                return new CompareRun
                {
                    Server = server.Name(), Workload = workload.Name, Connections = connections, Round = round, Result = result,
                    Queries = queries,
                    ServerP99Ms = served is null ? null : ServerLatency.P99Ms(served, await ServerLatency.ScrapeAsync(process.Port)),
                };
            }
            finally
            {
                if (queryLoop is not null) await queryLoop.StopAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new CompareRun { Server = server.Name(), Workload = workload.Name, Connections = connections, Round = round, Failure = e.Message };
        }
        finally
        {
            try
            {
                if (Directory.Exists(runDir)) Directory.Delete(runDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Progress(CompareRun run)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"{run.Server,-17} {run.Workload,-12} c={run.Connections,-4} round {run.Round}: ");
        if (run.Result is not { } r) return head + "FAILED: " + run.Failure;
        long bad = r.NonSuccessByStatus.Values.Sum();
        return head + string.Create(CultureInfo.InvariantCulture,
            $"{r.EventsPerSecond,12:#,0} events/s  {r.RequestsPerSecond,9:#,0} req/s  p99 {r.P99Ms,7:0.0} ms  cpu {r.ServerCpuSeconds:0.00} s{(bad + r.Errors > 0 ? $"  non-2xx {bad} errors {r.Errors}" : "")}")
            + (run.ServerP99Ms is { } s ? string.Create(CultureInfo.InvariantCulture, $"  server p99 {s:0.0} ms") : "")
            + (run.Queries is { } q ? string.Create(CultureInfo.InvariantCulture, $"  queries {q.QueriesPerSecond:0.0}/s ({q.Pages} pages, {q.Stats} stats, {q.Truncated} truncated, {q.Failures} failed)") : "");
    }

    private static int MachineCores()
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
