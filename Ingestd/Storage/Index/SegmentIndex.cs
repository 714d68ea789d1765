using System.Buffers.Binary;

namespace Ingestd.Storage.Index;

/// <summary>One block as an index lists it.</summary>
/// <param name="Offset">Where the block's header starts in the segment file.</param>
/// <param name="Length">Header plus payload.</param>
internal readonly record struct BlockRef(long Offset, long FirstSequence, int Count, long Length, long MinEventNs, long MaxEventNs);

/// <summary>
/// A block index read back and checked (FORMAT.md, "Block index"): for each block of a closed segment its place,
/// numbers, time range and the sets of envelope values it holds. Immutable once parsed.
/// </summary>
internal sealed class SegmentIndex
{
    private readonly byte[] _bytes;
    private readonly int[] _entryAt;   // where each entry starts in _bytes
    private readonly int[][] _setAt;   // per entry, where each of its value sets starts

    private SegmentIndex(byte[] bytes, int[] entryAt, int[][] setAt, long segmentLength, long firstSequence, long createdNs)
    {
        _bytes = bytes;
        _entryAt = entryAt;
        _setAt = setAt;
        SegmentLength = segmentLength;
        FirstSequence = firstSequence;
        CreatedNs = createdNs;
    }

    public long SegmentLength { get; }
    public long FirstSequence { get; }
    public long CreatedNs { get; }
    public int BlockCount => _entryAt.Length;

    public BlockRef Block(int i)
    {
        var e = _bytes.AsSpan(_entryAt[i]);
        return new BlockRef((long)BinaryPrimitives.ReadUInt64LittleEndian(e), (long)BinaryPrimitives.ReadUInt64LittleEndian(e[8..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(e[16..]), BinaryPrimitives.ReadUInt32LittleEndian(e[20..]),
            BinaryPrimitives.ReadInt64LittleEndian(e[24..]), BinaryPrimitives.ReadInt64LittleEndian(e[32..]));
    }

    /// <summary>Whether block <paramref name="i"/> may hold a record <paramref name="query"/> wants.</summary>
    public bool MayMatch(int i, BlockQuery query)
    {
        var e = _bytes.AsSpan(_entryAt[i]);
        if (!query.OverlapsTime(BinaryPrimitives.ReadInt64LittleEndian(e[24..]), BinaryPrimitives.ReadInt64LittleEndian(e[32..]))) return false;
        if ((BinaryPrimitives.ReadUInt64LittleEndian(e[40..]) & query.DialectBits) == 0) return false;
        if ((BinaryPrimitives.ReadUInt32LittleEndian(e[48..]) & query.KindBits) == 0) return false;
        for (int set = 0; set < IndexFormat.SetCount; set++)
        {
            var wanted = query.Hashes(set);
            if (wanted is null) continue;
            var bytes = _bytes.AsSpan(_setAt[i][set]);
            bool any = false;
            foreach (ulong h in wanted)
            {
                if (IndexFormat.SetMayContain(bytes, h))
                {
                    any = true;
                    break;
                }
            }
            if (!any) return false;
        }
        return true;
    }

    /// <summary>The blocks that may hold a record <paramref name="query"/> wants, in file order.</summary>
    public List<BlockRef> Select(BlockQuery query)
    {
        var result = new List<BlockRef>();
        for (int i = 0; i < _entryAt.Length; i++)
            if (MayMatch(i, query)) result.Add(Block(i));
        return result;
    }

    /// <summary>
    /// Parses and checks an index file's bytes: magic, version, sizes, CRC, and entries that lie inside the segment in
    /// increasing order and add up exactly. Null with <paramref name="error"/> saying why when anything is off.
    /// </summary>
    public static SegmentIndex? TryParse(byte[] bytes, out string? error)
    {
        error = null;
        var span = bytes.AsSpan();
        if (span.Length < IndexFormat.HeaderSize + IndexFormat.TrailerSize) return Fail("short index file", out error);
        if (!span[..8].SequenceEqual(IndexFormat.Magic)) return Fail("bad index magic", out error);
        if (BinaryPrimitives.ReadUInt16LittleEndian(span[8..]) != IndexFormat.Version) return Fail("unsupported index version", out error);
        if (BinaryPrimitives.ReadUInt16LittleEndian(span[10..]) != IndexFormat.HeaderSize) return Fail("bad index header size", out error);
        int crcAt = span.Length - IndexFormat.TrailerSize;
        if (BinaryPrimitives.ReadUInt32LittleEndian(span[crcAt..]) != Crc32C.Compute(span[..crcAt])) return Fail("index CRC mismatch", out error);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(span[12..]);
        ulong segmentLength = BinaryPrimitives.ReadUInt64LittleEndian(span[16..]);
        ulong firstSequence = BinaryPrimitives.ReadUInt64LittleEndian(span[24..]);
        long createdNs = BinaryPrimitives.ReadInt64LittleEndian(span[32..]);
        uint entriesLength = BinaryPrimitives.ReadUInt32LittleEndian(span[40..]);
        if (entriesLength != (uint)(crcAt - IndexFormat.HeaderSize)) return Fail("index entries length does not match the file size", out error);
        if (segmentLength > long.MaxValue || firstSequence > long.MaxValue) return Fail("index header fields out of range", out error);
        if (count > entriesLength / IndexFormat.EntryFixedSize) return Fail("index block count out of range", out error);

        var entryAt = new int[count];
        var setAt = new int[count][];
        int at = IndexFormat.HeaderSize;
        long nextOffset = SegmentFormat.FileHeaderSize;
        for (int i = 0; i < count; i++)
        {
            if (crcAt - at < IndexFormat.EntryFixedSize) return Fail("index entries run past the end", out error);
            entryAt[i] = at;
            var e = span[at..];
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(e);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(e[20..]);
            // Blocks follow each other; a gap is a damaged region the index leaves out, an overlap is nonsense.
            if (offset < (ulong)nextOffset || length < BlockCodec.HeaderSize || offset > segmentLength || length > segmentLength - offset)
                return Fail($"index entry {i} does not lie inside the segment in order", out error);
            nextOffset = (long)(offset + length);
            at += IndexFormat.EntryFixedSize;
            setAt[i] = new int[IndexFormat.SetCount];
            for (int s = 0; s < IndexFormat.SetCount; s++)
            {
                int setLength = IndexFormat.SetLength(span[at..crcAt]);
                if (setLength < 0) return Fail($"index entry {i} has a malformed value set", out error);
                setAt[i][s] = at;
                at += setLength;
            }
        }
        if (at != crcAt) return Fail("index entries do not add up to their length", out error);
        return new SegmentIndex(bytes, entryAt, setAt, (long)segmentLength, (long)firstSequence, createdNs);
    }

    private static SegmentIndex? Fail(string why, out string? error)
    {
        error = why;
        return null;
    }
}
