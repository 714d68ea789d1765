using System.Diagnostics;

namespace Ingestd.Bench.Micro;

/// <summary>
/// <c>pipeline-min [ROUNDS=400] [CASE…]</c>: times <see cref="PipelineBench"/>'s cases by the minimum of many calls,
/// interleaved with <see cref="PipelineBench.Reference_one_json_read"/>, and prints each per event and as a ratio to
/// that read. On a shared, loaded machine BenchmarkDotNet's means move by several times between runs; a minimum can
/// only be raised by load, so it tells changes of 10 % apart where the means cannot.
/// </summary>
internal static class PipelineMinimumTiming
{
    private const int Warmup = 50;

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 && int.TryParse(args[0], out int r) && r > 0 ? r : 400;
        var names = new List<string> { nameof(PipelineBench.Reference_one_json_read) };
        names.AddRange(args.Where(a => !int.TryParse(a, out _)));
        if (names.Count == 1)
            names.AddRange(typeof(PipelineBench).GetMethods()
                .Where(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false) && m.Name != names[0])
                .Select(m => m.Name));
        var bench = new PipelineBench();
        bench.Setup();
        try
        {
            var cases = names.Select(n => (typeof(PipelineBench).GetMethod(n) ?? throw new ArgumentException($"no case {n}"))
                .CreateDelegate<Func<int>>(bench)).ToArray();
            var best = Enumerable.Repeat(double.MaxValue, cases.Length).ToArray();
            for (int i = 0; i < Warmup; i++)
                foreach (var c in cases) c();
            for (int round = 0; round < rounds; round++)
                for (int i = 0; i < cases.Length; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    cases[i]();
                    best[i] = Math.Min(best[i], Stopwatch.GetElapsedTime(t0).TotalNanoseconds / BenchData.Events);
                }
            for (int i = 0; i < cases.Length; i++)
                Console.WriteLine($"{names[i],-40} {best[i],8:F0} ns/event {best[i] / best[0],7:F2}x");
            return 0;
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
