using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Ingestd.Bench.Compare;

namespace Ingestd.Bench;

public static class Program
{
    /// <summary>
    /// <c>micro [--quick] [BenchmarkDotNet args]</c>: the stage micro-benchmarks. <c>--quick</c>
    /// runs a short job (a first look in well under two minutes); without it, BenchmarkDotNet's defaults.
    /// <c>compare …</c>: the side-by-side end-to-end comparison (see README);
    /// <c>kestrel-ordinary …</c> and <c>kestrel-ingestd …</c>: the comparison servers it starts.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0)
        {
            switch (args[0])
            {
                case "compare": return CompareCommand.Run(args[1..]);
                case "kestrel-ordinary": return OrdinaryKestrelServer.Run(args[1..]);
                case "kestrel-ingestd": return KestrelHostedIngestd.Run(args[1..]);
            }
        }
        var rest = new List<string>(args);
        if (rest.Count > 0 && rest[0] == "micro") rest.RemoveAt(0);
        bool quick = rest.Remove("--quick");
        IConfig config = DefaultConfig.Instance;
        if (quick) config = config.AddJob(Job.ShortRun.WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1));
        if (!rest.Contains("--filter")) rest.AddRange(["--filter", "*"]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config);
        return 0;
    }
}
