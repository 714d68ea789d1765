using System.Text.Json;

namespace Ingestd.Outputs.Destinations;

/// <summary>The header fields a template or a label can name (<c>{tenant}</c> …), in <see cref="RecordFields"/>' slot order.</summary>
internal enum RecordField
{
    Tenant,
    Dialect,
    Kind,
    Level,
    Service,
    Stream,
}

/// <summary>
/// One delivered line (the record as <c>ingestd read</c> prints it plus <c>"id"</c>) read back into its header fields,
/// unescaped into a reused scratch array, and the span of its <c>event</c> (the last member, raw JSON). For the
/// destinations that send the event and label it (Loki, OTLP, Splunk HEC); no allocation once warm.
/// </summary>
internal sealed class RecordFields
{
    private const int FieldCount = 6;

    private byte[] _scratch = new byte[1024];
    private int _used;
    private readonly (int Start, int Length)[] _fields = new (int, int)[FieldCount];
    private int _eventStart, _eventLength;

    /// <summary>A field's value as stored (empty when the record has none, e.g. no stream).</summary>
    public ReadOnlySpan<byte> this[RecordField field] => _scratch.AsSpan(_fields[(int)field].Start, _fields[(int)field].Length);

    /// <summary>Where the event's JSON (<c>null</c> for a record without one) stands in the line last read.</summary>
    public (int Start, int Length) EventRange => (_eventStart, _eventLength);

    /// <summary>The event's JSON, a slice of <paramref name="line"/> (the line last read).</summary>
    public ReadOnlySpan<byte> Event(ReadOnlySpan<byte> line) => line.Slice(_eventStart, _eventLength);

    public void Read(ReadOnlySpan<byte> line)
    {
        _used = 0;
        Array.Clear(_fields);
        _eventStart = 0;
        _eventLength = 0;
        var reader = new Utf8JsonReader(line);
        reader.Read(); // StartObject
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            int slot = Slot(ref reader);
            bool isEvent = slot < 0 && reader.ValueTextEquals("event"u8);
            reader.Read();
            if (isEvent)
            {
                _eventStart = (int)reader.TokenStartIndex;
                reader.Skip();
                _eventLength = (int)reader.BytesConsumed - _eventStart;
                break;
            }
            if (slot >= 0 && reader.TokenType == JsonTokenType.String) Capture(ref reader, slot);
            else reader.Skip();
        }
    }

    private static int Slot(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("tenant"u8)) return (int)RecordField.Tenant;
        if (reader.ValueTextEquals("dialect"u8)) return (int)RecordField.Dialect;
        if (reader.ValueTextEquals("kind"u8)) return (int)RecordField.Kind;
        if (reader.ValueTextEquals("level"u8)) return (int)RecordField.Level;
        if (reader.ValueTextEquals("service"u8)) return (int)RecordField.Service;
        if (reader.ValueTextEquals("stream"u8)) return (int)RecordField.Stream;
        return -1;
    }

    private void Capture(ref Utf8JsonReader reader, int slot)
    {
        int room = reader.ValueSpan.Length; // unescaping never makes a value longer
        if (_scratch.Length - _used < room) Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _used + room));
        int length = reader.ValueIsEscaped ? reader.CopyString(_scratch.AsSpan(_used)) : CopyRaw(reader.ValueSpan);
        _fields[slot] = (_used, length);
        _used += length;
    }

    private int CopyRaw(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_scratch.AsSpan(_used));
        return value.Length;
    }
}
