using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Ingestd.Tests.Support;

/// <summary>
/// Runs one of the end-to-end scripts (<c>scripts/faults.sh</c>, <c>scripts/cluster-test.sh</c>) against the daemon
/// and the bench driver this test run was built with, and reads the figures of its last line, the summary.
/// </summary>
public static class ScriptRun
{
    /// <summary>
    /// Runs <paramref name="script"/> with <c>--no-build</c>, passing the binaries as <c>{prefix}_DAEMON</c> and
    /// <c>{prefix}_BENCH</c>. Null when the script said "<c>{word}: skipped (why)</c>" (printed, and the test passes:
    /// xunit 2 has no runtime skip); otherwise the exit code and the named numbers of <paramref name="summary"/>,
    /// which must match the last line.
    /// </summary>
    public static (int ExitCode, Func<string, long> Count, string Summary, string Stdout)? Run(
        string script, string prefix, Regex summary, int timeoutMs, ITestOutputHelper output)
    {
        string? binary = Environment.GetEnvironmentVariable("INGESTD_BINARY");
        var environment = new Dictionary<string, string>
        {
            [prefix + "_DAEMON"] = string.IsNullOrEmpty(binary) ? DaemonProcess.DaemonDll : Path.GetFullPath(binary, RepoPaths.Root),
            [prefix + "_BENCH"] = Path.Combine(AppContext.BaseDirectory, "Ingestd.Bench.dll"),
        };
        var run = ExternalProcess.Run("bash", [Path.Combine(RepoPaths.Root, "scripts", script), "--no-build"],
            RepoPaths.Root, environment, timeoutMs: timeoutMs);
        output.WriteLine(run.Stdout);
        output.WriteLine(run.Stderr);

        string last = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        if (Regex.IsMatch(last, @"^[a-z-]+: skipped"))
        {
            output.WriteLine("SKIPPED: " + last);
            return null;
        }
        var match = summary.Match(last);
        Assert.True(match.Success, $"no summary line (exit {run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");
        return (run.ExitCode, name => long.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture), last, run.Stdout);
    }
}
