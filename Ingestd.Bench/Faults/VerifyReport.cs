using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingestd.Bench.Faults;

/// <summary>
/// What <c>ingestd verify</c> says about a data directory: its exit code and each corruption it reports, as
/// (segment file name, offset). Output lines look like
/// <c>PATH: 3 blocks, 30 records, 999 bytes, CORRUPT: block payload CRC mismatch at offset 84; …</c>; a range skipped
/// up to the next good block reads <c>offset 60864..61360 (496 bytes) skipped: block header CRC mismatch</c>.
/// </summary>
internal sealed partial class VerifyReport
{
    private VerifyReport(int exitCode, List<(string File, long Offset, string Text)> findings, string output)
    {
        ExitCode = exitCode;
        Findings = findings;
        Output = output;
    }

    public int ExitCode { get; }

    public IReadOnlyList<(string File, long Offset, string Text)> Findings { get; }

    public string Output { get; }

    public static VerifyReport Run(IngestdBinary ingestd, string dataDir)
    {
        var (exit, stdout, stderr) = ingestd.Run(TimeSpan.FromSeconds(60), "verify", "--data-dir", dataDir);
        var findings = new List<(string, long, string)>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int corrupt = line.IndexOf(", CORRUPT: ", StringComparison.Ordinal);
            if (corrupt < 0) continue;
            string file = Path.GetFileName(line[..line.IndexOf(": ", StringComparison.Ordinal)]);
            foreach (var finding in line[(corrupt + ", CORRUPT: ".Length)..].Split("; "))
            {
                var match = OffsetPattern().Match(finding);
                long offset = match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
                findings.Add((file, offset, finding));
            }
        }
        // Exit 1 without a parsable finding (a missing path, a crash) still counts as one report.
        if (exit != 0 && findings.Count == 0) findings.Add(("?", -1, $"exit {exit}: {(stdout + stderr).Trim()}"));
        return new VerifyReport(exit, findings, stdout);
    }

    [GeneratedRegex(@"(?:at offset |^offset )(\d+)")]
    private static partial Regex OffsetPattern();
}
