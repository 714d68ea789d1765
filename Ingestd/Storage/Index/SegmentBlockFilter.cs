namespace Ingestd.Storage.Index;

/// <summary>
/// The per-block form of <see cref="BlockSelector"/>, for readers that walk block headers themselves: whether the block
/// at an offset of a segment may hold a record the query wants. It loads a segment's index once (when the path changes)
/// and answers from it; without a valid index, or for a block the index does not list as it is, it answers from the
/// header's time range. It never turns down a block that holds a match. One instance per reader (not thread-safe).
/// </summary>
internal sealed class SegmentBlockFilter(BlockQuery query)
{
    private string? _path;
    private SegmentIndex? _index;
    private long[] _offsets = [];

    public BlockQuery Query { get; } = query;

    /// <summary>Blocks turned down through an index so far (those the time range alone would have read).</summary>
    public long SkippedByIndex { get; private set; }

    public bool MayHold(string segmentPath, long blockOffset, in BlockHeader header)
    {
        if (!Query.MayMatch(header)) return false;
        if (!Query.HasFieldFilters) return true;
        if (!string.Equals(segmentPath, _path, StringComparison.Ordinal)) Load(segmentPath);
        if (_index is null) return true;
        int i = Array.BinarySearch(_offsets, blockOffset);
        if (i < 0) return true; // not listed: a block found past damage, or another file; read it
        var listed = _index.Block(i);
        if (listed.FirstSequence != header.FirstSequence || listed.Count != header.Count || listed.Length != header.TotalLength) return true;
        if (_index.MayMatch(i, Query)) return true;
        SkippedByIndex++;
        return false;
    }

    private void Load(string segmentPath)
    {
        _path = segmentPath;
        _index = SegmentIndexFile.TryLoad(segmentPath, out _);
        _offsets = new long[_index?.BlockCount ?? 0];
        for (int i = 0; i < _offsets.Length; i++) _offsets[i] = _index!.Block(i).Offset;
    }
}
