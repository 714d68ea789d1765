using System.Buffers.Binary;

namespace Ingestd.Parsing.Records;

/// <summary>A zero-copy view of one record laid out by <see cref="RecordLayout"/>.</summary>
internal readonly ref struct RecordView
{
    private readonly ReadOnlySpan<byte> _bytes;

    private RecordView(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Reads the record at the start of <paramref name="span"/>; false when the bytes are not a whole, consistent record.</summary>
    public static bool TryRead(ReadOnlySpan<byte> span, out RecordView view, out int length)
    {
        view = default;
        length = 0;
        if (span.Length < RecordLayout.HeaderSize) return false;
        uint total = BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (total < RecordLayout.HeaderSize || total > (uint)span.Length) return false;
        long fields = (long)BinaryPrimitives.ReadUInt16LittleEndian(span[22..])
            + BinaryPrimitives.ReadUInt16LittleEndian(span[24..])
            + BinaryPrimitives.ReadUInt16LittleEndian(span[26..])
            + BinaryPrimitives.ReadUInt16LittleEndian(span[28..])
            + BinaryPrimitives.ReadUInt32LittleEndian(span[30..]);
        if (RecordLayout.HeaderSize + fields != total) return false;
        view = new RecordView(span[..(int)total]);
        length = (int)total;
        return true;
    }

    public int Length => _bytes.Length;
    public long ReceivedNs => BinaryPrimitives.ReadInt64LittleEndian(_bytes[4..]);
    public long EventNs => BinaryPrimitives.ReadInt64LittleEndian(_bytes[12..]);
    public Dialect Dialect => (Dialect)_bytes[20];
    public RecordKind Kind => (RecordKind)_bytes[21];

    private int TenantLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[22..]);
    private int LevelLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[24..]);
    private int ServiceLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[26..]);
    private int TimestampTextLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[28..]);
    private int JsonLength => (int)BinaryPrimitives.ReadUInt32LittleEndian(_bytes[30..]);

    public ReadOnlySpan<byte> Tenant => _bytes.Slice(RecordLayout.HeaderSize, TenantLength);
    public ReadOnlySpan<byte> Level => _bytes.Slice(RecordLayout.HeaderSize + TenantLength, LevelLength);
    public ReadOnlySpan<byte> Service => _bytes.Slice(RecordLayout.HeaderSize + TenantLength + LevelLength, ServiceLength);
    public ReadOnlySpan<byte> TimestampText => _bytes.Slice(RecordLayout.HeaderSize + TenantLength + LevelLength + ServiceLength, TimestampTextLength);
    public ReadOnlySpan<byte> Json => _bytes.Slice(_bytes.Length - JsonLength, JsonLength);
}
