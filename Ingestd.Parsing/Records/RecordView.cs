using System.Buffers.Binary;

namespace Ingestd.Parsing.Records;

/// <summary>A zero-copy view of one record laid out by <see cref="RecordLayout"/> (or an older <see cref="RecordLayoutVersion"/>).</summary>
internal readonly ref struct RecordView
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _headerSize;

    private RecordView(ReadOnlySpan<byte> bytes, int headerSize)
    {
        _bytes = bytes;
        _headerSize = headerSize;
    }

    /// <summary>Reads the record at the start of <paramref name="span"/> in the current layout (batches, the ring).</summary>
    public static bool TryRead(ReadOnlySpan<byte> span, out RecordView view, out int length)
        => TryRead(span, RecordLayout.Current, out view, out length);

    /// <summary>Reads the record at the start of <paramref name="span"/>; false when the bytes are not a whole, consistent record.</summary>
    /// <param name="layout">The layout the block header names for its records.</param>
    public static bool TryRead(ReadOnlySpan<byte> span, RecordLayoutVersion layout, out RecordView view, out int length)
    {
        view = default;
        length = 0;
        int headerSize = RecordLayout.HeaderSizeOf(layout);
        if (span.Length < headerSize) return false;
        uint total = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (total < headerSize || total > (uint)span.Length) return false;
        long fields = (long)BinaryPrimitives.ReadUInt16LittleEndian(span[22..])
            + BinaryPrimitives.ReadUInt16LittleEndian(span[24..])
            + BinaryPrimitives.ReadUInt16LittleEndian(span[26..])
            + BinaryPrimitives.ReadUInt16LittleEndian(span[28..])
            + BinaryPrimitives.ReadUInt32LittleEndian(span[30..]);
        if (headerSize >= RecordLayout.WithStreamHeaderSize) fields += BinaryPrimitives.ReadUInt16LittleEndian(span[34..]);
        if (headerSize >= RecordLayout.HeaderSize) fields += BinaryPrimitives.ReadUInt16LittleEndian(span[36..]);
        if (headerSize + fields != total) return false;
        view = new RecordView(span[..(int)total], headerSize);
        length = (int)total;
        return true;
    }

    public int Length => _bytes.Length;
    public long ReceivedNs => BinaryPrimitives.ReadInt64LittleEndian(_bytes[4..]);
    public long EventNs => RecordLayout.ReadEventNs(_bytes);
    public Dialect Dialect => (Dialect)_bytes[20];
    public RecordKind Kind => (RecordKind)_bytes[21];

    private int TenantLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[22..]);
    private int LevelLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[24..]);
    private int ServiceLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[26..]);
    private int TimestampTextLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[28..]);
    private int JsonLength => (int)BinaryPrimitives.ReadUInt32LittleEndian(_bytes[30..]);
    private int StreamLength => _headerSize >= RecordLayout.WithStreamHeaderSize ? BinaryPrimitives.ReadUInt16LittleEndian(_bytes[34..]) : 0;
    private int RoutesLength => _headerSize >= RecordLayout.HeaderSize ? BinaryPrimitives.ReadUInt16LittleEndian(_bytes[36..]) : 0;

    public ReadOnlySpan<byte> Tenant => _bytes.Slice(_headerSize, TenantLength);
    public ReadOnlySpan<byte> Level => _bytes.Slice(_headerSize + TenantLength, LevelLength);
    public ReadOnlySpan<byte> Service => _bytes.Slice(_headerSize + TenantLength + LevelLength, ServiceLength);
    public ReadOnlySpan<byte> TimestampText => _bytes.Slice(_headerSize + TenantLength + LevelLength + ServiceLength, TimestampTextLength);

    /// <summary>The Streams pipeline the record was sent to; empty for other dialects and for records of the original layout.</summary>
    public ReadOnlySpan<byte> Stream => _bytes.Slice(_bytes.Length - JsonLength - RoutesLength - StreamLength, StreamLength);

    /// <summary>Comma-separated route tags set by a pipeline's <c>route</c> step; empty = the default route <c>store</c> (and for older layouts).</summary>
    public ReadOnlySpan<byte> Routes => _bytes.Slice(_bytes.Length - JsonLength - RoutesLength, RoutesLength);

    public ReadOnlySpan<byte> Json => _bytes.Slice(JsonStart, JsonLength);

    /// <summary>Where <see cref="Json"/> starts in the record.</summary>
    public int JsonStart => _bytes.Length - JsonLength;
}
