using System.Buffers.Binary;

namespace Ingestd.Parsing.Records;

/// <summary>
/// The byte layout of one record, shared by the ring and the segment blocks (little-endian):
/// <code>
///  0  u32  total length of the record, this field included
///  4  i64  received time, Unix nanoseconds UTC
/// 12  i64  event time, Unix nanoseconds UTC
/// 20  u8   dialect
/// 21  u8   kind
/// 22  u16  tenant length      (T)
/// 24  u16  level length       (L)
/// 26  u16  service length     (S)
/// 28  u16  timestamp-text length (X) — the event's timestamp exactly as sent
/// 30  u32  event JSON length  (J)
/// 34  u16  stream length      (R) — empty for every dialect but Streams
/// 36  u16  routes length      (O) — comma-separated route tags; empty = the default route "store"
/// 38  T+L+S+X+R+O+J bytes, in that order
/// </code>
/// The event JSON is the event exactly as received (or as a processing pipeline rewrote it), so what was
/// acknowledged reads back byte-identical when no pipeline changed it.
/// This is <see cref="RecordLayoutVersion.WithRoutes"/>; blocks written before it hold
/// <see cref="RecordLayoutVersion.WithStream"/> records (no routes length, 36-byte header) or
/// <see cref="RecordLayoutVersion.Original"/> records (no stream length either, 34-byte header), which
/// <see cref="RecordView"/> still reads.
/// </summary>
internal static class RecordLayout
{
    public const RecordLayoutVersion Current = RecordLayoutVersion.WithRoutes;
    public const int HeaderSize = 38;
    /// <summary>The header size of <see cref="RecordLayoutVersion.Original"/> records, the smallest a record can be.</summary>
    public const int OriginalHeaderSize = 34;
    public const int MaxFieldLength = ushort.MaxValue;

    /// <summary>The header size of <see cref="RecordLayoutVersion.WithStream"/> records.</summary>
    public const int WithStreamHeaderSize = 36;

    public static int HeaderSizeOf(RecordLayoutVersion layout) => layout switch
    {
        RecordLayoutVersion.Original => OriginalHeaderSize,
        RecordLayoutVersion.WithStream => WithStreamHeaderSize,
        _ => HeaderSize,
    };

    public static int SizeOf(int tenant, int level, int service, int timestampText, int json, int stream = 0, int routes = 0)
        => HeaderSize + tenant + level + service + timestampText + stream + routes + json;

    public static int ReadLength(ReadOnlySpan<byte> record) => (int)BinaryPrimitives.ReadUInt32LittleEndian(record);

    /// <summary>The event time of a record (the same offset in every layout).</summary>
    public static long ReadEventNs(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[12..]);

    /// <summary>Writes one record into <paramref name="dest"/>, which must hold <see cref="SizeOf"/> bytes. Returns bytes written.</summary>
    public static int Write(Span<byte> dest, long receivedNs, long eventNs, Dialect dialect, RecordKind kind,
        ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> level, ReadOnlySpan<byte> service,
        ReadOnlySpan<byte> timestampText, ReadOnlySpan<byte> json, ReadOnlySpan<byte> stream = default, ReadOnlySpan<byte> routes = default)
    {
        int size = SizeOf(tenant.Length, level.Length, service.Length, timestampText.Length, json.Length, stream.Length, routes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(dest, (uint)size);
        BinaryPrimitives.WriteInt64LittleEndian(dest[4..], receivedNs);
        BinaryPrimitives.WriteInt64LittleEndian(dest[12..], eventNs);
        dest[20] = (byte)dialect;
        dest[21] = (byte)kind;
        BinaryPrimitives.WriteUInt16LittleEndian(dest[22..], (ushort)tenant.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[24..], (ushort)level.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[26..], (ushort)service.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[28..], (ushort)timestampText.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[30..], (uint)json.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[34..], (ushort)stream.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[36..], (ushort)routes.Length);
        int at = HeaderSize;
        tenant.CopyTo(dest[at..]); at += tenant.Length;
        level.CopyTo(dest[at..]); at += level.Length;
        service.CopyTo(dest[at..]); at += service.Length;
        timestampText.CopyTo(dest[at..]); at += timestampText.Length;
        stream.CopyTo(dest[at..]); at += stream.Length;
        routes.CopyTo(dest[at..]); at += routes.Length;
        json.CopyTo(dest[at..]); at += json.Length;
        return at;
    }
}
