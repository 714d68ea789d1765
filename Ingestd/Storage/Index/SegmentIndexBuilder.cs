using System.Buffers;
using System.Buffers.Binary;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Records;

namespace Ingestd.Storage.Index;

/// <summary>
/// Collects the index entries of one segment, block by block, as the writer appends them (or as a rebuild reads them),
/// and lays out the index file at the end. One thread at a time; per block it walks the records' envelope fields once
/// and allocates nothing: the entries go to a pooled buffer sized for a typical segment (about 100 bytes a block, a
/// few hundred blocks), which <see cref="Build"/> gives back.
/// </summary>
internal sealed class SegmentIndexBuilder
{
    private const int InitialEntryBytes = 64 * 1024;
    private readonly PooledBuffer _entries = new(InitialEntryBytes);
    private readonly ValueSetBuilder[] _sets = [new(), new(), new(), new()];
    private int _blocks;
    private long _lastOffset = -1;

    public SegmentIndexBuilder(long firstSequence, long createdNs)
    {
        FirstSequence = firstSequence;
        CreatedNs = createdNs;
    }

    public long FirstSequence { get; }
    public long CreatedNs { get; }
    public int BlockCount => _blocks;

    /// <summary>
    /// Adds the block at <paramref name="offset"/>: its header's numbers and the sets of its records' fields.
    /// <paramref name="records"/> are the block's decoded records, laid out as <c>header.Layout</c> says.
    /// </summary>
    public void AddBlock(long offset, scoped in BlockHeader header, ReadOnlySpan<byte> records)
    {
        if (offset <= _lastOffset) throw new InvalidOperationException("index blocks must be added in file order");
        _lastOffset = offset;
        ulong dialects = 0;
        uint kinds = 0;
        var tenants = _sets[IndexFormat.TenantSet];
        var services = _sets[IndexFormat.ServiceSet];
        var levels = _sets[IndexFormat.LevelSet];
        var streams = _sets[IndexFormat.StreamSet];
        ReadOnlySpan<byte> tenant = default, service = default, level = default, stream = default;
        // The records were framed by the writer or checked by the codec (FORMAT.md, "Record"): read the envelope lengths
        // straight from each record header rather than through RecordView's checks; a span slice still guards the bounds.
        int headerSize = RecordLayout.HeaderSizeOf(header.Layout);
        bool hasStream = headerSize >= RecordLayout.WithStreamHeaderSize;
        bool first = true;
        while (records.Length >= headerSize)
        {
            int total = (int)BinaryPrimitives.ReadUInt32LittleEndian(records);
            if (total < headerSize || total > records.Length) break;
            dialects |= IndexFormat.DialectBit(records[20]);
            kinds |= IndexFormat.KindBit(records[21]);
            int tl = BinaryPrimitives.ReadUInt16LittleEndian(records[22..]), ll = BinaryPrimitives.ReadUInt16LittleEndian(records[24..]);
            int sl = BinaryPrimitives.ReadUInt16LittleEndian(records[26..]), xl = BinaryPrimitives.ReadUInt16LittleEndian(records[28..]);
            int rl = hasStream ? BinaryPrimitives.ReadUInt16LittleEndian(records[34..]) : 0;
            var record = records[..total];
            // Hash only when the bytes differ from the record before: within a request they mostly do not.
            var t = record.Slice(headerSize, tl);
            if (first || !t.SequenceEqual(tenant)) { tenants.Add(FieldHash.Of(t)); tenant = t; }
            var l = record.Slice(headerSize + tl, ll);
            if (first || !l.SequenceEqual(level)) { levels.Add(FieldHash.OfFolded(l)); level = l; }
            var sv = record.Slice(headerSize + tl + ll, sl);
            if (first || !sv.SequenceEqual(service)) { services.Add(FieldHash.Of(sv)); service = sv; }
            var r = record.Slice(headerSize + tl + ll + sl + xl, rl);
            if (first || !r.SequenceEqual(stream)) { streams.Add(FieldHash.Of(r)); stream = r; }
            first = false;
            records = records[total..];
        }

        var fixedPart = _entries.GetSpan(IndexFormat.EntryFixedSize)[..IndexFormat.EntryFixedSize];
        BinaryPrimitives.WriteUInt64LittleEndian(fixedPart, (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(fixedPart[8..], (ulong)header.FirstSequence);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[16..], (uint)header.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[20..], (uint)header.TotalLength);
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart[24..], header.MinEventNs);
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart[32..], header.MaxEventNs);
        BinaryPrimitives.WriteUInt64LittleEndian(fixedPart[40..], dialects);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[48..], kinds);
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[52..], 0);
        _entries.Advance(IndexFormat.EntryFixedSize);
        foreach (var set in _sets)
        {
            set.WriteTo(_entries);
            set.Reset();
        }
        _blocks++;
    }

    /// <summary>
    /// The whole index file for a segment of <paramref name="segmentLength"/> bytes: header, entries, CRC. The builder's
    /// buffer goes back to the pool: call it once, last.
    /// </summary>
    public byte[] Build(long segmentLength)
    {
        int length = BuildPooled(segmentLength, out byte[] rented);
        try
        {
            return rented.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// As <see cref="Build"/>, into an array rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it); the
    /// file is its first bytes, the length returned. For the writer's rotations: an index is ~1 MB, and a fresh array
    /// of that size per rotation is a large-object allocation that brought a gen-2 collection every minute or so.
    /// </summary>
    public int BuildPooled(long segmentLength, out byte[] rented)
    {
        var entries = _entries.WrittenSpan;
        int length = IndexFormat.HeaderSize + entries.Length + IndexFormat.TrailerSize;
        rented = ArrayPool<byte>.Shared.Rent(length);
        var span = rented.AsSpan(0, length);
        span[..IndexFormat.HeaderSize].Clear();
        IndexFormat.Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], IndexFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], IndexFormat.HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)_blocks);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)segmentLength);
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], (ulong)FirstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], CreatedNs);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)entries.Length);
        entries.CopyTo(span[IndexFormat.HeaderSize..]);
        int crcAt = length - IndexFormat.TrailerSize;
        BinaryPrimitives.WriteUInt32LittleEndian(span[crcAt..], Crc32C.Compute(span[..crcAt]));
        _entries.Dispose();
        return length;
    }
}
