using System.Diagnostics;

namespace Ingestd.Bench.Compare;

/// <summary>
/// Puts the load generator on its own core. sched_setaffinity on one thread would not move the
/// thread pool's existing threads, so the whole process is re-executed under <c>taskset</c>
/// once, before any load runs; children (wrk, if used) inherit the mask.
/// </summary>
internal static class CpuPinning
{
    private const string PinnedVariable = "INGESTD_BENCH_PINNED";

    public static bool TasksetAvailable => File.Exists("/usr/bin/taskset") || File.Exists("/bin/taskset");

    /// <summary>Returns an exit code when the pinned child ran instead of this process; null to carry on here.</summary>
    public static int? ReexecPinned(int cpu, IReadOnlyList<string> args)
    {
        if (Environment.GetEnvironmentVariable(PinnedVariable) == "1" || !TasksetAvailable) return null;
        var psi = new ProcessStartInfo("taskset") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(cpu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var a in SelfCommand()) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[PinnedVariable] = "1";
        using var child = Process.Start(psi) ?? throw new InvalidOperationException("cannot start taskset");
        child.WaitForExit();
        return child.ExitCode;
    }

    /// <summary>The command line that starts this program again: the apphost, or <c>dotnet Ingestd.Bench.dll</c>.</summary>
    public static string[] SelfCommand()
    {
        string process = Environment.ProcessPath ?? "dotnet";
        string dll = typeof(CpuPinning).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? [process, dll] : [process];
    }
}
