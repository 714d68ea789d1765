using System.Globalization;

namespace Ingestd.Bench.Faults;

/// <summary>
/// The <c>faults</c> verb: runs the disk-fault scenarios against a built daemon and prints one block per
/// scenario, then the summary line
/// <c>faults: N scenarios, acknowledged A, lost L, sequence reuse R, false corruption F</c>.
/// Exit 0 only when every scenario ran to the end and L, R and F are 0. Needs root (it mounts tmpfs);
/// <c>scripts/faults.sh</c> checks that, builds, and cleans up mounts and daemons whatever happens.
/// </summary>
internal static class FaultsCommand
{
    public const string Usage = """
        Ingestd.Bench faults --daemon PATH --work DIR [--only NAME[,NAME…]]
          --daemon PATH   the ingestd to test: an executable or ingestd.dll (run with dotnet)
          --work DIR      scratch directory: DIR/disk is the tmpfs mount point, DIR/logs the daemon logs,
                          DIR/daemon.pids every daemon PID started (for the caller's clean-up)
          --only NAMES    run only these scenarios (comma-separated)
        Scenarios:
        """;

    public static int Run(string[] args)
    {
        string? daemon = null, work = null, only = null;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--daemon": daemon = value; i++; break;
                case "--work": work = value; i++; break;
                case "--only": only = value; i++; break;
                case "-h" or "--help": Console.WriteLine(FullUsage()); return 0;
                default:
                    Console.Error.WriteLine($"faults: unknown argument '{args[i]}'\n{FullUsage()}");
                    return 2;
            }
        }
        if (string.IsNullOrEmpty(daemon) || string.IsNullOrEmpty(work))
        {
            Console.Error.WriteLine("faults: --daemon and --work are required\n" + FullUsage());
            return 2;
        }
        var scenarios = FaultScenarios.All.ToList();
        if (only is not null)
        {
            var names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            var unknown = names.Except(scenarios.Select(s => s.Name)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"faults: unknown scenario {string.Join(", ", unknown)}\n{FullUsage()}");
                return 2;
            }
            scenarios = scenarios.Where(s => names.Contains(s.Name)).ToList();
        }

        var runner = new FaultRunner(new IngestdBinary(daemon), work);
        var verdicts = new List<ScenarioVerdict>();
        for (int i = 0; i < scenarios.Count; i++)
        {
            var (verdict, took) = runner.RunAsync(scenarios[i]).GetAwaiter().GetResult();
            verdicts.Add(verdict);
            Print(verdict, scenarios[i], i + 1, scenarios.Count, took);
        }

        int completed = verdicts.Count(v => v.Completed);
        long acknowledged = verdicts.Sum(v => v.Acknowledged), lost = verdicts.Sum(v => v.Lost);
        long reuse = verdicts.Sum(v => v.SequenceReuse), falseCorruption = verdicts.Sum(v => v.FalseCorruption);
        if (completed < verdicts.Count)
            Console.WriteLine($"{verdicts.Count - completed} of {verdicts.Count} scenarios did not run to the end: "
                + string.Join(", ", verdicts.Where(v => !v.Completed).Select(v => v.Name)));
        Console.WriteLine($"faults: {completed} scenarios, acknowledged {acknowledged}, lost {lost}, sequence reuse {reuse}, false corruption {falseCorruption}");
        return completed == verdicts.Count && lost == 0 && reuse == 0 && falseCorruption == 0 ? 0 : 1;
    }

    private static void Print(ScenarioVerdict v, FaultScenario scenario, int index, int total, TimeSpan took)
    {
        string seconds = took.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        string verdict = v.Lost == 0 && v.SequenceReuse == 0 && v.FalseCorruption == 0 && v.Completed ? "ok" : "FAIL";
        Console.WriteLine($"[{index}/{total}] {v.Name}: {verdict}: acknowledged {v.Acknowledged}, lost {v.Lost}, sequence reuse {v.SequenceReuse}, "
            + $"false corruption {v.FalseCorruption}, expected loss {v.ExpectedLoss} ({seconds} s)");
        Console.WriteLine($"    {scenario.What}");
        if (v.Incomplete is not null) Console.WriteLine($"    DID NOT RUN TO THE END: {v.Incomplete}");
        foreach (var line in v.Details) Console.WriteLine("    " + line);
        Console.Out.Flush();
    }

    private static string FullUsage()
        => Usage + "\n" + string.Join("\n", FaultScenarios.All.Select(s => $"  {s.Name,-24}{s.What}"));
}
