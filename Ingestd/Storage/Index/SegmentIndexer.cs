namespace Ingestd.Storage.Index;

/// <summary>
/// Builds the index of a closed segment by reading it, block by block, the way <see cref="SegmentReader"/> walks it:
/// every block that verifies is listed; a block whose header holds but whose payload does not is left out (it yields
/// no records), and past a header that cannot be trusted the walk goes on at the next block that verifies. For
/// segments closed without an in-memory index (written before indexes existed, after a restart, after a fault) and for
/// <c>ingestd verify --reindex</c>.
/// </summary>
internal static class SegmentIndexer
{
    /// <summary>The index file's bytes for the segment, or null with <paramref name="whyNot"/> (bad file header, cancelled).</summary>
    public static byte[]? Build(string segmentPath, BlockReader reader, CancellationToken ct, out string? whyNot)
    {
        using var handle = File.OpenHandle(segmentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = RandomAccess.GetLength(handle);
        if (!SegmentFormat.TryReadFileHeader(handle, out long createdNs, out long first, out string? error))
        {
            // The index records the header's creation time to tell the segment from another of the same name; without a
            // good header there is nothing to record, and readers scan such a file anyway.
            whyNot = "bad file header (" + error + "); not indexed";
            return null;
        }
        var builder = new SegmentIndexBuilder(first, createdNs);
        long offset = SegmentFormat.FileHeaderSize;
        while (offset < length)
        {
            if (ct.IsCancellationRequested)
            {
                whyNot = "cancelled";
                return null;
            }
            var status = reader.Read(handle, offset, length, out var header, out var records);
            if (status == BlockStatus.Ok)
            {
                builder.AddBlock(offset, header, records);
                offset += header.TotalLength;
                continue;
            }
            if (BlockReader.CanSkip(status))
            {
                offset += header.TotalLength;
                continue;
            }
            long next = reader.FindNextBlock(handle, offset, length);
            if (next < 0) break;
            offset = next;
        }
        whyNot = null;
        return builder.Build(length);
    }

    /// <summary>Builds and writes the index of a closed segment; returns its block count, or -1 with <paramref name="whyNot"/>.</summary>
    public static int Rebuild(string segmentPath, BlockReader reader, CancellationToken ct, out string? whyNot)
    {
        byte[]? bytes = Build(segmentPath, reader, ct, out whyNot);
        if (bytes is null) return -1;
        SegmentIndexFile.Write(segmentPath, bytes);
        return SegmentIndex.TryParse(bytes, out _)!.BlockCount;
    }
}
