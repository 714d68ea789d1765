using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage.Index;

/// <summary>
/// Reading, writing and deleting the index file beside a segment. A write goes to a temp file that is fsynced and then
/// renamed over the index (and the directory fsynced), so a crash leaves the old index, the new one, or none, and
/// never a torn one under the index's name; a load checks the index against the segment it claims to describe.
/// </summary>
internal static class SegmentIndexFile
{
    /// <summary>
    /// The index of the segment at <paramref name="segmentPath"/>, open as <paramref name="segment"/> with
    /// <paramref name="segmentLength"/> bytes, when one exists and fits it: its CRC holds, and the first sequence,
    /// size and creation time it records are the segment's. Null otherwise, with <paramref name="whyNot"/>
    /// ("no index" when there is none): the caller then reads the block headers.
    /// </summary>
    public static SegmentIndex? TryLoad(string segmentPath, SafeFileHandle segment, long segmentLength, out string? whyNot)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(IndexFormat.PathFor(segmentPath));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            whyNot = "no index";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            whyNot = "index unreadable: " + e.Message;
            return null;
        }
        var index = SegmentIndex.TryParse(bytes, out whyNot);
        if (index is null) return null;
        if (!SegmentFormat.TryParseFileName(Path.GetFileName(segmentPath), out long first) || first != index.FirstSequence)
            whyNot = "index is for another segment (first sequence differs)";
        else if (index.SegmentLength != segmentLength)
            whyNot = $"index is stale (it covers {index.SegmentLength} bytes, the segment has {segmentLength})";
        else if (!SegmentFormat.TryReadFileHeader(segment, out long createdNs, out _, out _) || createdNs != index.CreatedNs)
            whyNot = "index is for another segment (creation time differs)";
        return whyNot is null ? index : null;
    }

    /// <summary>Opens the segment and loads its index (see the other overload); null when either is missing or does not fit.</summary>
    public static SegmentIndex? TryLoad(string segmentPath, out string? whyNot)
    {
        try
        {
            using var handle = File.OpenHandle(segmentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return TryLoad(segmentPath, handle, RandomAccess.GetLength(handle), out whyNot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            whyNot = e.Message;
            return null;
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> as the index of <paramref name="segmentPath"/>: temp file, fsync, rename, fsync
    /// of the directory. On failure the temp file is removed and the exception rethrown; an old index stays as it was.
    /// </summary>
    /// <param name="crashAfterBytes">Tests only: write this many bytes of the temp file, then stop as a process killed
    /// there would (no fsync, no rename, the temp file left behind).</param>
    public static void Write(string segmentPath, ReadOnlySpan<byte> bytes, int crashAfterBytes = -1)
    {
        string temp = IndexFormat.TempPathFor(segmentPath);
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
            {
                if (crashAfterBytes >= 0)
                {
                    RandomAccess.Write(handle, bytes[..Math.Min(crashAfterBytes, bytes.Length)], 0);
                    return;
                }
                RandomAccess.Write(handle, bytes, 0);
                RandomAccess.FlushToDisk(handle);
            }
            File.Move(temp, IndexFormat.PathFor(segmentPath), overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        DirectorySync.Fsync(Path.GetDirectoryName(Path.GetFullPath(segmentPath))!);
    }

    /// <summary>Removes the index of a segment, if any (retention deletes the segment, or its index went stale).</summary>
    public static void Delete(string segmentPath) => File.Delete(IndexFormat.PathFor(segmentPath));

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Start-up tidying of a data directory: removes temp files a crash left, indexes whose segment is gone, and the
    /// index of <paramref name="activeSegment"/> (the segment about to be appended to, which an index cannot describe).
    /// Returns the closed segments (all but the active one) that have no index file.
    /// </summary>
    public static List<string> Tidy(string directory, IReadOnlyList<string> segments, string? activeSegment, Action<string> log)
    {
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in segments) present.Add(Path.GetFileName(IndexFormat.PathFor(s)));
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(file);
            bool orphan = name.EndsWith(IndexFormat.Extension, StringComparison.Ordinal) && !present.Contains(name);
            if (!IndexFormat.IsTempName(name) && !orphan) continue;
            try
            {
                File.Delete(file);
                log($"index: removed {file} ({(orphan ? "its segment is gone" : "left by an interrupted write")})");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log($"index: could not remove {file}: {e.Message}");
            }
        }
        if (activeSegment is not null && File.Exists(IndexFormat.PathFor(activeSegment)))
        {
            try { Delete(activeSegment); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { log($"index: could not remove the active segment's index: {e.Message}"); }
        }
        var missing = new List<string>();
        foreach (var s in segments)
            if (s != activeSegment && !File.Exists(IndexFormat.PathFor(s))) missing.Add(s);
        return missing;
    }
}
