using System.Diagnostics;
using Ingestd.Diagnostics;
using Ingestd.Storage;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// Merges the small parts of a closed hour (its end more than <see cref="Grace"/> ago) into one
/// <c>part-&lt;node&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c>: written atomically beside them, then the small ones are deleted.
/// Runs on the output's thread after a delivery, at most every <see cref="Interval"/>, over the hour directories it wrote
/// to since the start (and, once, those of the last two days). A crash between the rename and the deletions leaves parts inside the merged one's range: they are removed
/// at the next pass, before anything is merged (until then a reader sees those events twice).
/// </summary>
internal sealed class ParquetCompactor(string root, string outputName)
{
    /// <summary>How long after its end an hour counts as closed: late events after that make a new part (merged again later).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>An hour bigger than this stays in its parts (one merge must not hold up delivery for long).</summary>
    private const long MaxMergeBytes = 512L * 1024 * 1024;

    private long _lastRunTicks = long.MinValue;

    /// <summary>Hour directories this output wrote to (or found in its first pass) that may still need a merge.</summary>
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private bool _scanned;

    /// <summary>Notes a partition directory a part was just written to: merged once its hour is closed.</summary>
    public void Written(string partitionDir) => _pending.Add(partitionDir);

    /// <summary>One pass, unless one ran less than <see cref="Interval"/> ago. Errors are left to the next pass.</summary>
    public void Run(string node, CancellationToken ct)
    {
        long now = Stopwatch.GetTimestamp();
        if (_lastRunTicks != long.MinValue && Stopwatch.GetElapsedTime(_lastRunTicks, now) < Interval) return;
        _lastRunTicks = now;
        var closedBefore = DateTime.UtcNow - Grace - TimeSpan.FromHours(1);
        try
        {
            // Written before a restart: the hours of the last two days are looked at once (not the whole tree).
            if (!_scanned) ScanRecentHours(DateTime.UtcNow.Date.AddDays(-2));
            _scanned = true;
            foreach (string dir in _pending.ToArray())
            {
                ct.ThrowIfCancellationRequested();
                if (HiveLayout.HourOf(dir) is not { } hour) _pending.Remove(dir);
                else if (hour <= closedBefore)
                {
                    Compact(dir, node);
                    _pending.Remove(dir);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Never fails a delivery: the parts stay as they are, and the next pass tries again.
            Log.Warn($"output {outputName}: compaction of {root} stopped for now: {e.Message}");
        }
    }

    private void ScanRecentHours(DateTime oldest)
    {
        if (!Directory.Exists(root)) return;
        foreach (string tenant in Directory.EnumerateDirectories(root, "tenant=*"))
        foreach (string date in Directory.EnumerateDirectories(tenant, "date=*"))
        foreach (string hourDir in Directory.EnumerateDirectories(date, "hour=*"))
        {
            if (HiveLayout.HourOf(hourDir) is { } hour && hour >= oldest) _pending.Add(hourDir);
        }
    }

    /// <summary>Merges <paramref name="node"/>'s parts in one hour directory; returns the merged file's name, or null.</summary>
    public string? Compact(string dir, string node)
    {
        var parts = HiveLayout.Parts(dir, node);
        RemoveContained(dir, parts);
        if (parts.Count < 2) return null;
        long bytes = 0;
        foreach (var part in parts) bytes += new FileInfo(part.Path).Length;
        if (bytes > MaxMergeBytes) return null;

        long first = parts[0].First, last = 0;
        foreach (var part in parts) last = Math.Max(last, part.Last);
        string name = HiveLayout.PartName(node, first, last);
        ParquetPartFile.WriteAtomically(dir, name, async writer =>
        {
            // Row groups refilled to full size: the merged file reads as well as one written at once.
            var pending = new List<PartRow>(ParquetPartFile.RowGroupRows);
            foreach (var part in parts)
            {
                await foreach (var rows in ParquetPartFile.ReadRowGroupsAsync(part.Path))
                {
                    pending.AddRange(rows);
                    while (pending.Count >= ParquetPartFile.RowGroupRows)
                    {
                        await ParquetPartFile.WriteRowGroupAsync(writer, pending, 0, ParquetPartFile.RowGroupRows);
                        pending.RemoveRange(0, ParquetPartFile.RowGroupRows);
                    }
                }
            }
            if (pending.Count > 0) await ParquetPartFile.WriteRowGroupAsync(writer, pending, 0, pending.Count);
        });
        foreach (var part in parts) File.Delete(part.Path);
        DirectorySync.Fsync(dir);
        Log.Info($"output {outputName}: merged {parts.Count} parts of {dir} into {name}");
        return name;
    }

    /// <summary>Deletes parts whose range lies inside another's (the merged part holds their events); keeps the rest in <paramref name="parts"/>.</summary>
    private static void RemoveContained(string dir, List<(long First, long Last, string Path)> parts)
    {
        bool removed = false;
        // Sorted by first, then widest first: a part is contained when an earlier kept one reaches past its end.
        long reach = long.MinValue;
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i].Last <= reach)
            {
                File.Delete(parts[i].Path);
                parts.RemoveAt(i--);
                removed = true;
            }
            else reach = Math.Max(reach, parts[i].Last);
        }
        if (removed) DirectorySync.Fsync(dir);
    }
}
