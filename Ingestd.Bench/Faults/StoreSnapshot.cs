using System.Text.Json;

namespace Ingestd.Bench.Faults;

/// <summary>
/// Every record <c>ingestd read</c> prints for a data directory, as (sequence number, event id). Taken with the
/// daemon stopped: once before recovery (what a reader could have seen) and once at the end.
/// </summary>
internal sealed class StoreSnapshot
{
    private StoreSnapshot(string label, List<(long Seq, string Id)> records, List<string> warnings)
    {
        Label = label;
        Records = records;
        Warnings = warnings;
    }

    public string Label { get; }

    public IReadOnlyList<(long Seq, string Id)> Records { get; }

    /// <summary>What <c>read</c> printed on stderr (skipped blocks and files).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public HashSet<string> Ids() => Records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>Runs <c>ingestd read --data-dir DIR</c> (all records, no filter) and parses its NDJSON.</summary>
    public static StoreSnapshot Take(IngestdBinary ingestd, string dataDir, string label)
    {
        var (exit, stdout, stderr) = ingestd.Run(TimeSpan.FromSeconds(60), "read", "--data-dir", dataDir);
        if (exit != 0) throw new InvalidOperationException($"ingestd read exited {exit}: {stderr.Trim()}");
        var records = new List<(long, string)>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            long seq = root.GetProperty("seq").GetInt64();
            string id = root.GetProperty("event").TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            records.Add((seq, id));
        }
        var warnings = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return new StoreSnapshot(label, records, warnings);
    }
}
