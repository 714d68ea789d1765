using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects.Levels;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Journal;

/// <summary>
/// The systemd Journal Export Format (<c>application/vnd.fdo.journal</c>, systemd's
/// JOURNAL_EXPORT_FORMATS document), as <c>systemd-journal-upload</c> sends it: entries separated
/// by an empty line; each field either <c>NAME=value\n</c> or, for values that may hold any byte,
/// <c>NAME\n</c>, a 64-bit little-endian length, the value, and <c>\n</c>.
/// <para>
/// Each entry becomes one record whose JSON is an object of its fields, as <c>journalctl -o json</c>
/// writes them: values that are valid UTF-8 without control characters other than tab and newline
/// are strings, any other value is an array of its byte values (0–255), and a field that occurs
/// several times in an entry is an array of its values. Level from <c>PRIORITY</c> (syslog
/// severity), service from <c>_SYSTEMD_UNIT</c>, else <c>SYSLOG_IDENTIFIER</c>, event time from
/// <c>__REALTIME_TIMESTAMP</c> (microseconds since the epoch), else the receive time.
/// All-or-nothing; allocates nothing once its pooled arrays are warm.
/// </para>
/// </summary>
internal static class JournalExportParser
{
    /// <summary>Field names are at most 64 bytes (systemd's JOURNAL_FIELD_NAME_MAX)...</summary>
    public const int MaxFieldNameLength = 64;

    /// <summary>...and an entry has at most 1024 fields (systemd's ENTRY_FIELD_COUNT_MAX).</summary>
    public const int MaxFieldsPerEntry = 1024;

    private struct Field
    {
        public int NameStart, NameLength, ValueStart, ValueLength;
        public int Next;      // the next field of the entry with the same name, or -1
        public bool Repeat;   // a later occurrence, written with the first
    }

    // Open-addressed table (field index + 1; 0 empty) finding repeated names in one pass: at most half full.
    private const int TableSlots = 2 * MaxFieldsPerEntry;

    /// <summary>Parses <paramref name="body"/> and appends one record per entry to <paramref name="batch"/>. Returns the number of entries.</summary>
    /// <exception cref="RequestRejectedException">InvalidEvent naming the entry (from 1) and what is wrong.</exception>
    public static int Parse(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch)
    {
        var fields = ArrayPool<Field>.Shared.Rent(64);
        byte[]? json = null;
        try
        {
            int at = 0, count = 0, n = 0;
            while (at < body.Length)
            {
                if (body[at] == (byte)'\n')
                {
                    // An empty line ends the entry (several in a row are harmless).
                    if (n > 0) Emit(body, fields.AsSpan(0, n), receivedNs, tenant, batch, ref json, ++count);
                    n = 0;
                    at++;
                    continue;
                }
                int lineLength = body[at..].IndexOf((byte)'\n');
                if (lineLength < 0) Invalid(count + 1, "the last field has no line break");
                var line = body.Slice(at, lineLength);
                if (n == MaxFieldsPerEntry) Invalid(count + 1, $"more than {MaxFieldsPerEntry} fields");
                if (n == fields.Length) Grow(ref fields);
                ref var f = ref fields[n++];
                int eq = line.IndexOf((byte)'=');
                f.NameStart = at;
                if (eq >= 0)
                {
                    f.NameLength = eq;
                    f.ValueStart = at + eq + 1;
                    f.ValueLength = lineLength - eq - 1;
                    at += lineLength + 1;
                }
                else
                {
                    // Binary form: the name alone on its line, then le64 length, the bytes, '\n'.
                    f.NameLength = lineLength;
                    int p = at + lineLength + 1;
                    if (body.Length - p < 8) Invalid(count + 1, "truncated binary field length");
                    ulong length = BinaryPrimitives.ReadUInt64LittleEndian(body[p..]);
                    p += 8;
                    if (length >= (ulong)(body.Length - p)) Invalid(count + 1, "binary field longer than the rest of the body");
                    if (body[p + (int)length] != (byte)'\n') Invalid(count + 1, "binary field not followed by a line break");
                    f.ValueStart = p;
                    f.ValueLength = (int)length;
                    at = p + (int)length + 1;
                }
                if (!IsValidName(body.Slice(f.NameStart, f.NameLength))) Invalid(count + 1, "invalid field name (A–Z, 0–9 and _, not starting with a digit, at most 64 bytes)");
            }
            // The last entry may end with the body instead of an empty line.
            if (n > 0) Emit(body, fields.AsSpan(0, n), receivedNs, tenant, batch, ref json, ++count);
            if (count == 0) Rejection.Throw(RejectReason.InvalidEvent, "journal export: no entries in the body");
            return count;
        }
        finally
        {
            ArrayPool<Field>.Shared.Return(fields);
            if (json is not null) ArrayPool<byte>.Shared.Return(json);
        }
    }

    private static void Grow(ref Field[] fields)
    {
        var bigger = ArrayPool<Field>.Shared.Rent(fields.Length * 2);
        fields.AsSpan().CopyTo(bigger);
        ArrayPool<Field>.Shared.Return(fields);
        fields = bigger;
    }

    // systemd's journal_field_valid(): upper-case letters, digits and '_', not starting with a digit.
    // Names starting with '_' (trusted fields) and '__' (address fields) are what the uploader sends.
    private static bool IsValidName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > MaxFieldNameLength) return false;
        if ((uint)(name[0] - '0') <= 9) return false;
        foreach (byte b in name)
            if (!((uint)(b - 'A') <= 'Z' - 'A' || (uint)(b - '0') <= 9 || b == (byte)'_')) return false;
        return true;
    }

    private static void Emit(ReadOnlySpan<byte> body, Span<Field> fields, long receivedNs, ReadOnlySpan<byte> tenant,
        RecordBatch batch, ref byte[]? json, int entry)
    {
        ReadOnlySpan<byte> level = default, unit = default, identifier = default, timeText = default;
        long eventNs = receivedNs;
        long size = 2;
        foreach (ref readonly var f in fields)
        {
            var name = body.Slice(f.NameStart, f.NameLength);
            var value = body.Slice(f.ValueStart, f.ValueLength);
            // name, quotes, colon, comma, brackets for a repeated field; a value is at most 6 bytes per byte escaped or 4 as a number.
            size += f.NameLength + 6 + 6L * f.ValueLength + 2;
            if (name.SequenceEqual("PRIORITY"u8))
            {
                if (value.Length == 1) level = SyslogSeverity.LevelName(value[0] - '0');
            }
            else if (name.SequenceEqual("_SYSTEMD_UNIT"u8)) unit = value;
            else if (name.SequenceEqual("SYSLOG_IDENTIFIER"u8)) identifier = value;
            else if (name.SequenceEqual("__REALTIME_TIMESTAMP"u8))
            {
                if (!Utf8Parser.TryParse(value, out ulong micros, out int used) || used != value.Length || micros > long.MaxValue / 1000)
                    Invalid(entry, "__REALTIME_TIMESTAMP must be microseconds since the epoch");
                eventNs = (long)micros * 1000;
                timeText = value;
            }
        }
        if (size > int.MaxValue / 2) Invalid(entry, "entry too large");
        if (json is null || json.Length < size)
        {
            if (json is not null) ArrayPool<byte>.Shared.Return(json);
            json = null;
            json = ArrayPool<byte>.Shared.Rent((int)Math.Max(size, 4096));
        }

        LinkRepeatedNames(body, fields);
        int length = WriteObject(body, fields, json);
        var service = !unit.IsEmpty ? unit : identifier;
        if (service.Length > RecordLayout.MaxFieldLength || !IsText(service)) service = default;
        batch.Append(receivedNs, eventNs, Dialect.Journal, RecordKind.Log, tenant, level, service, timeText, json.AsSpan(0, length));
    }

    /// <summary>
    /// Chains the occurrences of each name (Next) and marks all but the first (Repeat), in one pass
    /// over a hash table: a per-field scan would make an entry of 1024 fields cost a million
    /// comparisons. HashCode is seeded per process, so names cannot be chosen to collide.
    /// </summary>
    private static void LinkRepeatedNames(ReadOnlySpan<byte> body, Span<Field> fields)
    {
        Span<int> table = stackalloc int[TableSlots];
        table.Clear();
        Span<int> last = stackalloc int[fields.Length]; // for a first occurrence: its latest occurrence so far
        for (int i = 0; i < fields.Length; i++)
        {
            ref var f = ref fields[i];
            f.Next = -1;
            f.Repeat = false;
            var name = body.Slice(f.NameStart, f.NameLength);
            var hash = new HashCode();
            hash.AddBytes(name);
            int slot = hash.ToHashCode() & (TableSlots - 1);
            while (true)
            {
                int entry = table[slot] - 1;
                if (entry < 0)
                {
                    table[slot] = i + 1;
                    last[i] = i;
                    break;
                }
                if (body.Slice(fields[entry].NameStart, fields[entry].NameLength).SequenceEqual(name))
                {
                    fields[last[entry]].Next = i;
                    last[entry] = i;
                    f.Repeat = true;
                    break;
                }
                slot = (slot + 1) & (TableSlots - 1);
            }
        }
    }

    private static int WriteObject(ReadOnlySpan<byte> body, Span<Field> fields, Span<byte> dest)
    {
        int at = 0;
        dest[at++] = (byte)'{';
        for (int i = 0; i < fields.Length; i++)
        {
            if (fields[i].Repeat) continue;
            var name = body.Slice(fields[i].NameStart, fields[i].NameLength);
            if (at > 1) dest[at++] = (byte)',';
            dest[at++] = (byte)'"';
            name.CopyTo(dest[at..]);
            at += name.Length;
            dest[at++] = (byte)'"';
            dest[at++] = (byte)':';
            if (fields[i].Next < 0)
            {
                at += WriteValue(body.Slice(fields[i].ValueStart, fields[i].ValueLength), dest[at..]);
                continue;
            }
            // A repeated field is an array of its values in order, as journalctl -o json writes it.
            dest[at++] = (byte)'[';
            for (int j = i; j >= 0; j = fields[j].Next)
            {
                if (j != i) dest[at++] = (byte)',';
                at += WriteValue(body.Slice(fields[j].ValueStart, fields[j].ValueLength), dest[at..]);
            }
            dest[at++] = (byte)']';
        }
        dest[at++] = (byte)'}';
        return at;
    }

    private static int WriteValue(ReadOnlySpan<byte> value, Span<byte> dest)
    {
        int at = 0;
        if (IsText(value))
        {
            dest[at++] = (byte)'"';
            at += JsonEscape.Write(value, dest[at..]);
            dest[at++] = (byte)'"';
            return at;
        }
        dest[at++] = (byte)'[';
        for (int i = 0; i < value.Length; i++)
        {
            if (i > 0) dest[at++] = (byte)',';
            Utf8Formatter.TryFormat(value[i], dest[at..], out int written);
            at += written;
        }
        dest[at++] = (byte)']';
        return at;
    }

    // What journalctl -o json writes as a string: printable UTF-8, newlines and tabs allowed.
    private static readonly SearchValues<byte> Controls = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f"u8);

    private static bool IsText(ReadOnlySpan<byte> value) => value.IndexOfAny(Controls) < 0 && Utf8.IsValid(value);

    private static void Invalid(int entry, string problem) =>
        Rejection.Throw(RejectReason.InvalidEvent, $"journal export: entry {entry}: {problem}");
}
