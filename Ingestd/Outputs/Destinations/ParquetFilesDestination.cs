using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Storage;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "parquet_files"</c>: writes each batch as Parquet files under <c>path</c> in a Hive layout, one part per
/// (tenant, hour of the event's own time, UTC) of the batch: <c>tenant=…/date=…/hour=…/part-&lt;node&gt;-&lt;first&gt;-&lt;last&gt;.parquet</c>,
/// each written atomically (<see cref="ParquetPartFile"/>). Acknowledged once every part of the batch is on disk.
///
/// No duplicates across replays: a part holds every event of its partition whose sequence lies in its name's range
/// (a batch is a contiguous run of sequences, and the match is the same on a replay). So before a part is written,
/// its events already inside the range of one of this node's parts in that directory are dropped: a batch redelivered
/// after a crash, whole or cut differently, adds only what is not there yet. A full disk or an unwritable directory
/// is transient (retried; nothing is lost, the cursor stays).
/// </summary>
internal sealed class ParquetFilesDestination : IDestination
{
    private readonly string _root;
    private readonly string _name;
    private readonly ParquetCompactor _compactor;

    public ParquetFilesDestination(OutputConfig config)
    {
        _root = config.Path!;
        _name = config.Name;
        _compactor = new ParquetCompactor(_root, config.Name);
    }

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        string? node = null;
        // Partitions in the order they first appear; the rows of each in sequence order.
        var partitions = new Dictionary<string, List<PartRow>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (int i in items)
        {
            var row = PartRow.FromLine(batch.Line(i), batch.EventNsAt(i));
            node ??= NodeOf(row);
            string partition = HiveLayout.PartitionOf(row.Tenant, row.TimeNs);
            if (!partitions.TryGetValue(partition, out var rows))
            {
                partitions[partition] = rows = [];
                order.Add(partition);
            }
            rows.Add(row);
        }
        if (node is null) return DeliveryResult.Acknowledged;
        try
        {
            foreach (string partition in order)
            {
                ct.ThrowIfCancellationRequested();
                WritePart(Path.Combine(_root, partition), node, partitions[partition]);
            }
            // After the batch is safe: a failed merge costs nothing but small files for a while.
            _compactor.Run(node, ct);
            return DeliveryResult.Acknowledged;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Disk full, permissions, a vanished mount: all pass; the batch is written again as it is.
            return DeliveryResult.Transient($"{e.GetType().Name}: {e.Message}");
        }
    }

    private void WritePart(string dir, string node, List<PartRow> rows)
    {
        CreateDirectory(dir);
        var existing = HiveLayout.Parts(dir, node);
        var fresh = existing.Count == 0 ? rows : rows.FindAll(r => !Covered(existing, r.Seq));
        if (fresh.Count != rows.Count)
            Log.Info($"output {_name}: {rows.Count - fresh.Count} of {rows.Count} events of a replayed batch were already in {dir}; not written again");
        // Parts never overlap: fresh events on both sides of an existing part go to two parts (so a range inside
        // another's range is always a merge's leftover, which compaction may delete).
        int start = 0;
        for (int i = 1; i <= fresh.Count; i++)
        {
            if (i < fresh.Count && !Between(existing, fresh[i - 1].Seq, fresh[i].Seq)) continue;
            var run = start == 0 && i == fresh.Count ? fresh : fresh.GetRange(start, i - start);
            ParquetPartFile.WriteAtomically(dir, HiveLayout.PartName(node, run[0].Seq, run[^1].Seq), run);
            _compactor.Written(dir);
            start = i;
        }
    }

    private static bool Between(List<(long First, long Last, string Path)> parts, long after, long before)
    {
        foreach (var (first, _, _) in parts)
            if (first > after && first < before) return true;
        return false;
    }

    private static bool Covered(List<(long First, long Last, string Path)> parts, long seq)
    {
        foreach (var (first, last, _) in parts)
            if (seq >= first && seq <= last) return true;
        return false;
    }

    // The id is "<node_id>-<seq>": the part names use the node id the outputs use.
    private static string NodeOf(PartRow row)
    {
        string suffix = "-" + row.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string node = row.Id.EndsWith(suffix, StringComparison.Ordinal) ? row.Id[..^suffix.Length] : row.Id;
        return HiveLayout.NodeToken(node);
    }

    /// <summary>Creates the directory and the missing ones above it, each made durable in its parent.</summary>
    private void CreateDirectory(string dir)
    {
        if (Directory.Exists(dir)) return;
        string parent = Path.GetDirectoryName(dir)!;
        if (dir != _root) CreateDirectory(parent);
        Directory.CreateDirectory(dir);
        DirectorySync.Fsync(parent);
    }

    public void Dispose()
    {
    }
}
