namespace Ingestd.Storage.Index;

/// <summary>The blocks of one segment a query needs to read, and whether an index chose them.</summary>
/// <param name="FromIndex">True when the segment's index was valid and chose the blocks; false when they come from the block headers (time only).</param>
/// <param name="TotalBlocks">Blocks in the segment as the index or the header walk saw them.</param>
internal sealed record BlockSelection(bool FromIndex, IReadOnlyList<BlockRef> Blocks, int TotalBlocks, string? WhyNoIndex);

/// <summary>
/// Chooses the candidate blocks of a segment for a <see cref="BlockQuery"/>: from the segment's index when it has a
/// valid one (time, tenant, service, level, stream, dialect, kind), otherwise from the block headers (time only).
/// A candidate may hold no match; a block left out holds none. Read them with
/// <see cref="SegmentReader.ReadBlocks(string, IReadOnlyList{BlockRef}, RecordHandler)"/>.
/// </summary>
internal static class BlockSelector
{
    public static BlockSelection Select(string segmentPath, BlockQuery query)
    {
        using var handle = File.OpenHandle(segmentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = RandomAccess.GetLength(handle);
        var index = SegmentIndexFile.TryLoad(segmentPath, handle, length, out string? whyNot);
        if (index is not null) return new BlockSelection(true, index.Select(query), index.BlockCount, null);

        // The newest segment (still written), or one without a usable index: walk the headers. A header that cannot be
        // trusted ends the walk at the next block that verifies, as readers do; an incomplete last block is left out.
        var blocks = new List<BlockRef>();
        int total = 0;
        using var reader = new BlockReader();
        long offset = SegmentFormat.FileHeaderSize;
        while (offset < length)
        {
            var status = reader.ReadHeader(handle, offset, length, out var header);
            if (status == BlockStatus.Ok)
            {
                total++;
                if (query.MayMatch(header))
                    blocks.Add(new BlockRef(offset, header.FirstSequence, header.Count, header.TotalLength, header.MinEventNs, header.MaxEventNs));
                offset += header.TotalLength;
                continue;
            }
            long next = reader.FindNextBlock(handle, offset, length);
            if (next < 0) break;
            offset = next;
        }
        return new BlockSelection(false, blocks, total, whyNot);
    }
}
