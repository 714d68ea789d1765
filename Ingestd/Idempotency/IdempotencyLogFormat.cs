using System.Buffers.Binary;
using System.Text;
using Ingestd.Storage;

namespace Ingestd.Idempotency;

/// <summary>
/// Byte layout of the idempotency log (all integers little-endian):
/// <code>
/// file   := header record*
/// header := "IDEM" u32 version(=1)
/// record := u32 length  u32 crc32c(length bytes ++ payload)  payload[length]
/// payload:= u8 kind  i64 createdUnixMs  u8[16] key (RFC 9562 byte order)
///           [kind 2 only: i64 storedBelowSequence]
///           u16 n  scope[n] (UTF-8)  i32 status
///           u16 headerCount  { u16 n  name[n]  u16 m  value[m] }*  (UTF-8)
///           i32 n  body[n]
/// </code>
/// The CRC covers the length field too, so a corrupted length is caught like a corrupted payload.
/// Records are self-contained; the last record with a given (scope, key) wins. Kind 2 (written now) carries the
/// segment sequence number below which all the request's events lie, so recovery can drop a record whose events
/// did not survive; kind 1 (older logs) has none and reads as 0.
/// </summary>
internal static class IdempotencyLogFormat
{
    public const int FileHeaderSize = 8;
    public const int RecordHeaderSize = 8;
    public const uint Version = 1;
    /// <summary>Anything longer is treated as corruption when reading.</summary>
    public const int MaxPayloadBytes = 16 * 1024 * 1024;

    private const byte KindResponse = 1;
    private const byte KindResponseWithSequence = 2;
    private static ReadOnlySpan<byte> Magic => "IDEM"u8;

    public static void WriteFileHeader(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Version);
    }

    public static bool IsValidFileHeader(ReadOnlySpan<byte> header)
        => header.Length >= FileHeaderSize && header[..4].SequenceEqual(Magic)
           && BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == Version;

    /// <summary>Encodes one completed entry as a whole record (header + payload). Cold path: allocates the result.</summary>
    public static byte[] EncodeRecord(string scope, Guid key, long createdUnixMs, StoredResponse response, long storedBelowSequence)
    {
        int scopeBytes = Utf8Length(scope);
        int size = RecordHeaderSize + 1 + 8 + 16 + 8 + 2 + scopeBytes + 4 + 2 + 4 + response.Body.Length;
        foreach (var header in response.Headers) size += 2 + Utf8Length(header.Key) + 2 + Utf8Length(header.Value);
        if (response.Headers.Count > ushort.MaxValue) throw new ArgumentException("too many headers to store", nameof(response));
        if (size - RecordHeaderSize > MaxPayloadBytes) throw new ArgumentException("response too large to store", nameof(response));

        var record = new byte[size];
        var span = record.AsSpan(RecordHeaderSize);
        span[0] = KindResponseWithSequence;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], createdUnixMs);
        key.TryWriteBytes(span.Slice(9, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64LittleEndian(span[25..], storedBelowSequence);
        int pos = 33;
        pos = WriteString16(span, pos, scope);
        BinaryPrimitives.WriteInt32LittleEndian(span[pos..], response.Status);
        pos += 4;
        BinaryPrimitives.WriteUInt16LittleEndian(span[pos..], (ushort)response.Headers.Count);
        pos += 2;
        foreach (var header in response.Headers)
        {
            pos = WriteString16(span, pos, header.Key);
            pos = WriteString16(span, pos, header.Value);
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[pos..], response.Body.Length);
        pos += 4;
        response.Body.CopyTo(span[pos..]);

        int length = size - RecordHeaderSize;
        BinaryPrimitives.WriteInt32LittleEndian(record, length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Checksum(record.AsSpan(0, 4), span));
        return record;
    }

    /// <summary>The CRC stored in a record: over its length field and payload.</summary>
    public static uint Checksum(ReadOnlySpan<byte> lengthField, ReadOnlySpan<byte> payload)
        => ~Crc32C.Update(Crc32C.Update(0xFFFFFFFFu, lengthField), payload);

    /// <summary>Decodes a payload whose CRC already matched; false when its structure is inconsistent.</summary>
    public static bool TryDecodePayload(ReadOnlySpan<byte> payload, out IdempotencyEntry? entry)
    {
        entry = null;
        if (payload.Length < 25 || payload[0] is not (KindResponse or KindResponseWithSequence)) return false;
        long created = BinaryPrimitives.ReadInt64LittleEndian(payload[1..]);
        var key = new Guid(payload.Slice(9, 16), bigEndian: true);
        int pos = 25;
        long storedBelow = 0;
        if (payload[0] == KindResponseWithSequence)
        {
            if (payload.Length < 33) return false;
            storedBelow = BinaryPrimitives.ReadInt64LittleEndian(payload[25..]);
            pos = 33;
        }
        if (!TryReadString16(payload, ref pos, out string? scope)) return false;
        if (payload.Length - pos < 6) return false;
        int status = BinaryPrimitives.ReadInt32LittleEndian(payload[pos..]);
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(payload[(pos + 4)..]);
        pos += 6;
        var headers = new KeyValuePair<string, string>[headerCount];
        for (int i = 0; i < headerCount; i++)
        {
            if (!TryReadString16(payload, ref pos, out string? name) || !TryReadString16(payload, ref pos, out string? value)) return false;
            headers[i] = new(name, value);
        }
        if (payload.Length - pos < 4) return false;
        int bodyLength = BinaryPrimitives.ReadInt32LittleEndian(payload[pos..]);
        pos += 4;
        if (bodyLength < 0 || bodyLength != payload.Length - pos) return false;
        var response = new StoredResponse(status, payload[pos..].ToArray(), headers);
        entry = new IdempotencyEntry(scope, key, created, response, RecordHeaderSize + payload.Length, storedBelow);
        return true;
    }

    private static int Utf8Length(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        if (n > ushort.MaxValue) throw new ArgumentException("string too long to store in the idempotency log");
        return n;
    }

    private static int WriteString16(Span<byte> span, int pos, string s)
    {
        int n = Encoding.UTF8.GetBytes(s, span[(pos + 2)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[pos..], (ushort)n);
        return pos + 2 + n;
    }

    private static bool TryReadString16(ReadOnlySpan<byte> payload, ref int pos, out string value)
    {
        value = "";
        if (payload.Length - pos < 2) return false;
        int n = BinaryPrimitives.ReadUInt16LittleEndian(payload[pos..]);
        if (payload.Length - pos - 2 < n) return false;
        value = Encoding.UTF8.GetString(payload.Slice(pos + 2, n));
        pos += 2 + n;
        return true;
    }
}
