using Ingestd.Storage;
using Ingestd.Storage.Index;

namespace Ingestd.Cli;

/// <summary>
/// <c>ingestd verify</c>: checks every block of every segment (header and payload CRC-32C, decompression,
/// record framing against count and raw length, sequence continuity within a file) and prints one line per
/// segment and a total. Exit 0 when everything is clean, 1 on any corruption or missing path. Safe on a directory
/// the daemon is writing: the block still being written at the end of the newest segment, and segments that
/// retention deletes meanwhile, are noted on lines of their own and are not corruption.
/// With <c>--reindex</c>, every closed segment whose block index is missing or does not fit it gets a new one (the
/// newest segment of a directory never does: the daemon may still append to it).
/// </summary>
internal static class VerifyCommand
{
    public static int Run(string dataDir, IReadOnlyList<string> paths, TextWriter stdout, bool reindex = false)
    {
        if (paths.Count == 0) paths = [dataDir];
        int segments = 0, corrupt = 0;
        long blocks = 0, records = 0;
        using var reader = new BlockReader();
        foreach (var path in paths)
        {
            List<string> files;
            if (Directory.Exists(path)) files = SegmentFormat.ListSegments(path);
            else if (File.Exists(path)) files = [path];
            else
            {
                stdout.WriteLine($"{path}: no such file or directory");
                corrupt++;
                continue;
            }
            foreach (var file in files)
            {
                FileResult result;
                try
                {
                    result = VerifyFile(reader, file);
                }
                catch (FileNotFoundException)
                {
                    // Retention deleted it after the listing: the daemon's own doing, not corruption.
                    stdout.WriteLine($"{file}: deleted while verifying (retention); skipped");
                    continue;
                }
                segments++;
                blocks += result.Blocks;
                records += result.Records;
                corrupt += result.Findings.Count;
                string verdict = result.Findings.Count == 0 ? "ok" : "CORRUPT: " + string.Join("; ", result.Findings);
                stdout.WriteLine($"{file}: {result.Blocks} blocks, {result.Records} records, {result.Bytes} bytes, {verdict}");
                foreach (var note in result.Notes) stdout.WriteLine($"{file}: {note}");
                if (reindex && !Reindex(reader, file, stdout)) corrupt++;
            }
        }
        stdout.WriteLine($"total: {segments} segments, {blocks} blocks, {records} records, {corrupt} corrupt");
        return corrupt == 0 ? 0 : 1;
    }

    /// <summary>Checks the index of a closed segment and rebuilds it when missing or stale; false when that failed.</summary>
    private static bool Reindex(BlockReader reader, string file, TextWriter stdout)
    {
        if (!SegmentFormat.TryParseFileName(Path.GetFileName(file), out _))
        {
            // Readers match an index to its segment by the name's first sequence: a renamed copy cannot have one.
            stdout.WriteLine($"{file}: index: none (not named like a segment)");
            return true;
        }
        if (LiveTail.IsNewestSegment(file))
        {
            stdout.WriteLine($"{file}: index: none (the newest segment; the daemon may still append to it)");
            return true;
        }
        if (SegmentIndexFile.TryLoad(file, out string? whyNot) is { } index)
        {
            stdout.WriteLine($"{file}: index: ok ({index.BlockCount} blocks)");
            return true;
        }
        try
        {
            int blocks = SegmentIndexer.Rebuild(file, reader, CancellationToken.None, out string? failed);
            if (blocks < 0)
            {
                stdout.WriteLine($"{file}: index: not rebuilt: {failed}");
                return true; // a bad file header is already a finding of its own
            }
            stdout.WriteLine($"{file}: index: rebuilt ({blocks} blocks; was: {whyNot})");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stdout.WriteLine($"{file}: index: could not be written: {e.Message}");
            return false;
        }
    }

    /// <summary>What one file holds: <paramref name="Findings"/> are corruption, <paramref name="Notes"/> are not.</summary>
    private sealed record FileResult(long Blocks, long Records, long Bytes, List<string> Findings, List<string> Notes);

    private static FileResult VerifyFile(BlockReader reader, string file)
    {
        var findings = new List<string>();
        var notes = new List<string>();
        long blocks = 0, records = 0;
        using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var tail = new LiveTail(file, handle);
        long length = RandomAccess.GetLength(handle);
        if (length < SegmentFormat.FileHeaderSize)
        {
            // The daemon may be creating this segment: its header is one write away.
            length = tail.Recheck(length);
            if (length < SegmentFormat.FileHeaderSize && tail.IsNewest)
            {
                if (length > 0) notes.Add(LiveTail.Describe(length));
                return new FileResult(0, 0, length, findings, notes);
            }
        }
        // The sequence the next block must start with; null when nothing says (a bad header and an unnumbered file name).
        long? expected = null;
        if (SegmentFormat.TryReadFileHeader(handle, out _, out long headerFirst, out string? error))
        {
            expected = headerFirst;
        }
        else
        {
            // Blocks carry their own sequence numbers and checksums: a bad file header makes none of them unreadable.
            findings.Add($"bad file header at offset 0: {error} (blocks read anyway)");
            if (SegmentFormat.TryParseFileName(Path.GetFileName(file), out long nameFirst)) expected = nameFirst;
        }

        long offset = SegmentFormat.FileHeaderSize;
        while (offset < length)
        {
            var status = reader.Read(handle, offset, length, out var header, out _);
            if (status == BlockStatus.Ok)
            {
                if (expected is not null && header.FirstSequence != expected)
                    findings.Add($"{BlockCodec.Describe(BlockStatus.SequenceGap)} (expected {expected}, found {header.FirstSequence}) at offset {offset}");
                blocks++;
                records += header.Count;
                expected = header.NextSequence;
                offset += header.TotalLength;
                continue;
            }
            if (BlockReader.CanSkip(status))
            {
                findings.Add($"{BlockCodec.Describe(status)} at offset {offset}");
                expected = header.NextSequence;
                offset += header.TotalLength;
                continue;
            }
            long before = length;
            if (tail.IsLiveTailAt(offset, ref length, status))
            {
                notes.Add(LiveTail.Describe(length - offset));
                break;
            }
            if (length != before) continue; // it grew: read the block again
            // The header cannot be trusted, or the block runs past the end of a file no longer written: go on at the next
            // block that verifies, if any. Its first sequence will not follow the last one seen; that gap is part of
            // this finding, not another.
            long next = reader.FindNextBlock(handle, offset, length);
            long end = next < 0 ? length : next;
            findings.Add($"offset {offset}..{end} ({end - offset} bytes) skipped: {BlockCodec.Describe(status)}");
            expected = null;
            offset = end;
        }
        return new FileResult(blocks, records, length, findings, notes);
    }
}
