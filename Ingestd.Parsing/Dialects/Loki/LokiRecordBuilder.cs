using System.Buffers;
using System.Runtime.CompilerServices;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Loki;

/// <summary>
/// Writes the records of one Loki push, whatever its encoding, in one shape:
/// <c>{"stream":{labels},"line":"…","metadata":{…}}</c> (metadata only when the entry has some).
/// The stream's labels are written once per stream and copied into each entry; the service and
/// level are picked from the labels and the entry's structured metadata on the way.
/// All buffers are rented from <see cref="ArrayPool{T}"/>, so a warm parse allocates nothing.
/// A mutable struct: pass it by <c>ref</c>, and <see cref="Return"/> it in a <c>finally</c>.
/// </summary>
internal struct LokiRecordBuilder
{
    /// <summary>Longest service or level value kept, after unescaping.</summary>
    public const int MaxNameLength = 1024;

    /// <summary>
    /// One slot holds any escaped JSON value that may still unescape to <see cref="MaxNameLength"/>
    /// bytes (a JSON escape is at most 6 bytes per output byte).
    /// </summary>
    public const int SlotSize = 6 * MaxNameLength;

    public const int ServiceSlot = 0, StreamLevelSlot = 1, EntryLevelSlot = 2;
    private const int SlotCount = 3;

    private const int NoRank = int.MaxValue;

    // Bytes that a JSON string may not hold unescaped (RFC 8259 §7).
    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\"\\"u8);

    private byte[] _labels;
    private int _labelsLength;
    private int _labelCount;

    private byte[] _json;
    private int _jsonLength;
    private int _metadataCount;

    private byte[] _slots;
    private Slots _rank;
    private Slots _length;

    private byte[] _temp;

    [InlineArray(SlotCount)]
    private struct Slots
    {
        private int _element;
    }

    public static LokiRecordBuilder Rent() => new()
    {
        _labels = ArrayPool<byte>.Shared.Rent(1024),
        _json = ArrayPool<byte>.Shared.Rent(4096),
        _slots = ArrayPool<byte>.Shared.Rent(SlotCount * SlotSize),
        _temp = ArrayPool<byte>.Shared.Rent(1024),
    };

    public void Return()
    {
        Release(ref _labels);
        Release(ref _json);
        Release(ref _slots);
        Release(ref _temp);
    }

    /// <summary>The current stream's labels as a JSON object (complete after <see cref="EndStream"/>).</summary>
    public readonly ReadOnlySpan<byte> Labels => _labels.AsSpan(0, _labelsLength);

    public readonly int LabelCount => _labelCount;

    /// <summary>The value captured in a slot, empty when none was.</summary>
    public readonly ReadOnlySpan<byte> Slot(int slot) => _slots.AsSpan(slot * SlotSize, _length[slot]);

    // ---- labels ----

    public void BeginStream()
    {
        _labelsLength = 0;
        _labelCount = 0;
        ClearSlot(ServiceSlot);
        ClearSlot(StreamLevelSlot);
        Put(ref _labels, ref _labelsLength, "{"u8);
    }

    /// <summary>Adds a label whose name and value are JSON string contents already (as they stood in a JSON body).</summary>
    public void AddLabelJson(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        => PutMember(ref _labels, ref _labelsLength, _labelCount++ == 0 ? "\""u8 : ",\""u8, name, value, escape: false);

    /// <summary>Adds a label given as plain UTF-8 text; it is escaped here.</summary>
    public void AddLabel(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        => PutMember(ref _labels, ref _labelsLength, _labelCount++ == 0 ? "\""u8 : ",\""u8, name, value, escape: true);

    public void EndStream() => Put(ref _labels, ref _labelsLength, "}"u8);

    // ---- entries ----

    public void BeginEntry()
    {
        _jsonLength = 0;
        _metadataCount = 0;
        ClearSlot(EntryLevelSlot);
        Put(ref _json, ref _jsonLength, "{\"stream\":"u8);
        Put(ref _json, ref _jsonLength, Labels);
        Put(ref _json, ref _jsonLength, ",\"line\":\""u8);
    }

    /// <summary>Writes the line from JSON string contents as they stood in a JSON body.</summary>
    public void LineJson(ReadOnlySpan<byte> line)
    {
        Put(ref _json, ref _jsonLength, line);
        Put(ref _json, ref _jsonLength, "\""u8);
    }

    /// <summary>Writes the line from plain UTF-8 text.</summary>
    public void Line(ReadOnlySpan<byte> line)
    {
        PutEscaped(ref _json, ref _jsonLength, line);
        Put(ref _json, ref _jsonLength, "\""u8);
    }

    public void AddMetadataJson(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        => PutMember(ref _json, ref _jsonLength, _metadataCount++ == 0 ? ",\"metadata\":{\""u8 : ",\""u8, name, value, escape: false);

    public void AddMetadata(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        => PutMember(ref _json, ref _jsonLength, _metadataCount++ == 0 ? ",\"metadata\":{\""u8 : ",\""u8, name, value, escape: true);

    /// <summary>Closes the entry's JSON and appends its record. The entry's own level outranks the stream's.</summary>
    public void Finish(RecordBatch batch, long receivedNs, long eventNs, ReadOnlySpan<byte> tenant)
    {
        Put(ref _json, ref _jsonLength, _metadataCount > 0 ? "}}"u8 : "}"u8);
        Span<byte> timestamp = stackalloc byte[20]; // long.MaxValue has 19 digits
        eventNs.TryFormat(timestamp, out int digits, default, System.Globalization.CultureInfo.InvariantCulture);
        var level = _length[EntryLevelSlot] > 0 ? Slot(EntryLevelSlot) : Slot(StreamLevelSlot);
        batch.Append(receivedNs, eventNs, Dialect.Loki, RecordKind.Log, tenant, level, Slot(ServiceSlot),
            timestamp[..digits], _json.AsSpan(0, _jsonLength));
    }

    // ---- service and level ----

    /// <summary>Rank of a label name as the service (lower wins), 0 when it is not a candidate.</summary>
    public static int ServiceRank(ReadOnlySpan<byte> name) => name.Length switch
    {
        12 when name.SequenceEqual("service_name"u8) => 1,
        3 when name.SequenceEqual("app"u8) => 2,
        3 when name.SequenceEqual("job"u8) => 3,
        9 when name.SequenceEqual("container"u8) => 4,
        _ => 0,
    };

    /// <summary>Rank of a label or metadata name as the level (lower wins), 0 when it is not a candidate.</summary>
    public static int LevelRank(ReadOnlySpan<byte> name) => name.Length switch
    {
        5 when name.SequenceEqual("level"u8) => 1,
        14 when name.SequenceEqual("detected_level"u8) => 2,
        8 when name.SequenceEqual("severity"u8) => 3,
        _ => 0,
    };

    /// <summary>True when a value of this rank would replace the slot's current one.</summary>
    public readonly bool Wants(int slot, int rank) => rank > 0 && rank < _rank[slot];

    /// <summary>The slot's buffer (<see cref="SlotSize"/> bytes) to unescape a value into before <see cref="Commit"/>.</summary>
    public readonly Span<byte> SlotBuffer(int slot) => _slots.AsSpan(slot * SlotSize, SlotSize);

    /// <summary>Takes <paramref name="length"/> bytes written into <see cref="SlotBuffer"/>; false when longer than <see cref="MaxNameLength"/>.</summary>
    public bool Commit(int slot, int rank, int length)
    {
        if (length > MaxNameLength) return false;
        if (slot != ServiceSlot) LowerAscii(_slots.AsSpan(slot * SlotSize, length));
        _rank[slot] = rank;
        _length[slot] = length;
        return true;
    }

    /// <summary>Copies a plain value into a slot when it outranks the current one; false when it is too long.</summary>
    public bool Capture(int slot, int rank, ReadOnlySpan<byte> value)
    {
        if (!Wants(slot, rank)) return true;
        if (value.Length > MaxNameLength) return false;
        value.CopyTo(SlotBuffer(slot));
        return Commit(slot, rank, value.Length);
    }

    /// <summary>A scratch span of at least <paramref name="length"/> bytes, valid until the next call.</summary>
    public Span<byte> Temp(int length)
    {
        if (_temp.Length < length) Regrow(ref _temp, 0, length);
        return _temp;
    }

    private void ClearSlot(int slot)
    {
        _rank[slot] = NoRank;
        _length[slot] = 0;
    }

    private static void LowerAscii(Span<byte> value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if ((uint)(value[i] - 'A') <= 'Z' - 'A') value[i] |= 0x20;
        }
    }

    // ---- writing ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    // One "name":"value" member after its opening (`"` or `,"`); escape: the parts are plain text, else already JSON string contents.
    private static void PutMember(ref byte[] array, ref int length, ReadOnlySpan<byte> opening,
        ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool escape)
    {
        Put(ref array, ref length, opening);
        if (escape) PutEscaped(ref array, ref length, name);
        else Put(ref array, ref length, name);
        Put(ref array, ref length, "\":\""u8);
        if (escape) PutEscaped(ref array, ref length, value);
        else Put(ref array, ref length, value);
        Put(ref array, ref length, "\""u8);
    }

    private static void Put(ref byte[] array, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (array.Length - length < bytes.Length) Regrow(ref array, length, bytes.Length);
        bytes.CopyTo(array.AsSpan(length));
        length += bytes.Length;
    }

    /// <summary>Writes valid UTF-8 as JSON string contents: quote, backslash and controls escaped (RFC 8259 §7), the rest as is.</summary>
    private static void PutEscaped(ref byte[] array, ref int length, ReadOnlySpan<byte> text)
    {
        int clean = text.IndexOfAny(NeedsEscape);
        if (clean < 0)
        {
            Put(ref array, ref length, text);
            return;
        }
        // Worst case every remaining byte becomes \u00XX.
        long worst = clean + 6L * (text.Length - clean);
        if (array.Length - length < worst) Regrow(ref array, length, (int)Math.Min(worst, Array.MaxLength));
        var dest = array.AsSpan();
        text[..clean].CopyTo(dest[length..]);
        int at = length + clean;
        for (int i = clean; i < text.Length; i++)
        {
            byte b = text[i];
            if (b >= 0x20 && b != '"' && b != '\\')
            {
                dest[at++] = b;
                continue;
            }
            dest[at++] = (byte)'\\';
            switch (b)
            {
                case (byte)'"': dest[at++] = (byte)'"'; break;
                case (byte)'\\': dest[at++] = (byte)'\\'; break;
                case (byte)'\n': dest[at++] = (byte)'n'; break;
                case (byte)'\r': dest[at++] = (byte)'r'; break;
                case (byte)'\t': dest[at++] = (byte)'t'; break;
                case (byte)'\b': dest[at++] = (byte)'b'; break;
                case (byte)'\f': dest[at++] = (byte)'f'; break;
                default:
                    dest[at++] = (byte)'u';
                    dest[at++] = (byte)'0';
                    dest[at++] = (byte)'0';
                    dest[at++] = Hex(b >> 4);
                    dest[at++] = Hex(b & 0xF);
                    break;
            }
        }
        length = at;
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Regrow(ref byte[] array, int keep, int extra)
    {
        long needed = (long)keep + extra;
        if (needed > Array.MaxLength)
            throw new RequestRejectedException(RejectReason.DecodedBodyTooLarge, "a Loki record is larger than a record can be");
        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * array.Length));
        var next = ArrayPool<byte>.Shared.Rent(size);
        array.AsSpan(0, keep).CopyTo(next);
        ArrayPool<byte>.Shared.Return(array);
        array = next;
    }

    private static void Release(ref byte[] array)
    {
        if (array is { Length: > 0 }) ArrayPool<byte>.Shared.Return(array);
        array = [];
    }
}
