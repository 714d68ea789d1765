using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using Ingestd.Bench.Cluster;
using Ingestd.Bench.Compare;
using Ingestd.Bench.Faults;
using Ingestd.Bench.Load;
using Ingestd.Bench.Workload;

namespace Ingestd.Bench;

public static class Program
{
    private const string Usage = """
        Ingestd.Bench micro [--quick] [BenchmarkDotNet args]   stage micro-benchmarks (BenchmarkDotNet)
        Ingestd.Bench pipeline-min [ROUNDS=400] [CASE…]        pipeline cases: minimum of many calls, × one JSON read
        Ingestd.Bench zstd-params [ROUNDS=15]                  the writer's zstd at other levels, parameters, block sizes
        Ingestd.Bench index-collect [ROUNDS=30]                the writer's per-block index walk, cold and hot (ns/record)
        Ingestd.Bench load --url URL --body FILE [options]    HTTP load generator (load --help for options)
        Ingestd.Bench compare [--quick] [options]              ingestd vs Kestrel vs nginx, side by side (see README)
        Ingestd.Bench workload [--out DIR]                     write the reference workload (default: over Ingestd.Bench/workload-data)
        Ingestd.Bench kestrel-ordinary --listen H:P --out F    the ordinary ASP.NET Core /v1/drain (started by compare)
        Ingestd.Bench kestrel-ingestd --listen H:P --data-dir D   ingestd's pipeline hosted on Kestrel (started by compare)
        Ingestd.Bench faults --daemon PATH --work DIR            disk faults under load against the real daemon (run by scripts/faults.sh)
        Ingestd.Bench cluster ports|stream|load|check …          the JetStream and load steps of scripts/cluster-test.sh (cluster --help)
        Ingestd.Bench query-loop --port P --key K               the +query row's query client (started by compare)
        Ingestd.Bench query-scan [--records N] [--hours H]       unindexed query scan rate over generated segments (GB/s, records/s)
        Ingestd.Bench index [--hours 24] [--events-per-hour N] [--tenants N] [--rounds N]   segment index: write cost, query speed-up
        """;

    /// <summary>Dispatches on the verb; with no known verb the arguments go to BenchmarkDotNet, as before.</summary>
    public static int Main(string[] args)
    {
        switch (args.Length > 0 ? args[0] : "")
        {
            case "micro":
                return RunMicro(args[1..]);
            case "pipeline-min":
                return Micro.PipelineMinimumTiming.Run(args[1..]);
            case "zstd-params":
                return Micro.ZstdParamsTiming.Run(args[1..]);
            case "index-collect":
                return Micro.IndexCollectTiming.Run(args[1..]);
            case "load":
                if (args.Length > 1 && args[1] is "-h" or "--help")
                {
                    Console.WriteLine(LoadCommand.Usage);
                    return 0;
                }
                return LoadCommand.Run(args[1..]);
            case "compare":
                return CompareCommand.Run(args[1..]);
            case "workload":
                return WorkloadCommand.Run(args[1..]);
            case "kestrel-ordinary":
                return OrdinaryKestrelServer.Run(args[1..]);
            case "kestrel-ingestd":
                return KestrelHostedIngestd.Run(args[1..]);
            case "faults":
                return FaultsCommand.Run(args[1..]);
            case "cluster":
                return ClusterCommand.Run(args[1..]);
            case "query-loop":
                return Compare.QueryLoopProcess.Run(args[1..]);
            case "query-scan":
                return Query.QueryScanCommand.Run(args[1..]);
            case "index":
                return Index.IndexBenchCommand.Run(args[1..]);
            case "-h" or "--help":
                Console.WriteLine(Usage);
                return 0;
            default:
                return RunMicro(args);
        }
    }

    /// <summary>
    /// <c>micro [--quick] [BenchmarkDotNet args]</c>: the stage micro-benchmarks. <c>--quick</c>
    /// runs a short in-process job (every benchmark in under two minutes); without it, BenchmarkDotNet's defaults.
    /// Kept in its own method so the other verbs never load BenchmarkDotNet.
    /// </summary>
    private static int RunMicro(string[] args)
    {
        var rest = new List<string>(args);
        bool quick = rest.Remove("--quick");
        IConfig config = DefaultConfig.Instance;
        // Quick: in-process (no per-run project build, which alone takes tens of seconds here), one
        // warm-up and three 100 ms iterations per case: every case in about two seconds.
        if (quick)
        {
            config = config.AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
                .WithIterationTime(TimeInterval.FromMilliseconds(100))
                .WithId("Quick"));
        }
        if (!rest.Contains("--filter")) rest.AddRange(["--filter", "*"]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config);
        return 0;
    }
}
