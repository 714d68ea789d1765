using System.Text.RegularExpressions;
using Ingestd.Tests.Support;
using Xunit.Abstractions;

namespace Ingestd.Tests.Storage;

/// <summary>
/// <c>scripts/faults.sh</c>: real disk faults under load against the built daemon (disk full during age and size
/// rotation, inodes exhausted, a partial block write, retention around a full disk, bit flips, kill -9 three
/// times, read-only). A 2xx must mean stored: no acknowledged event lost, no sequence number given twice, no
/// corruption reported where none was made. Takes about a minute and a half. Needs root (each scenario mounts a
/// tmpfs): skipped with the reason where it cannot mount.
/// </summary>
public sealed partial class FaultRunTests(ITestOutputHelper output)
{
    [TmpfsFact]
    public void Disk_faults_under_load_lose_no_acknowledged_event_reuse_no_sequence_and_invent_no_corruption()
    {
        if (ScriptRun.Run("faults.sh", "FAULTS", SummaryLine(), 360_000, output) is not { } result) return; // skipped, with the reason printed
        var (exitCode, Count, summary, stdout) = result;
        Assert.True(Count("acknowledged") > 0, summary);
        Assert.True(Count("lost") == 0 && Count("reuse") == 0 && Count("corruption") == 0 && exitCode == 0,
            $"{summary} (exit {exitCode})\n{stdout}");
    }

    [GeneratedRegex(@"^faults: (?<scenarios>\d+) scenarios, acknowledged (?<acknowledged>\d+), lost (?<lost>\d+), sequence reuse (?<reuse>\d+), false corruption (?<corruption>\d+)$")]
    private static partial Regex SummaryLine();
}
