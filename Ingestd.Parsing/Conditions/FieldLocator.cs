using System.Text.Json;

namespace Ingestd.Parsing.Conditions;

/// <summary>
/// Per-event cache of located JSON path values: each path a condition or step asks for is found with one
/// <see cref="Utf8JsonReader"/> pass the first time it is asked, then served from here until the event's JSON
/// changes (<see cref="Invalidate"/>). Strings with escapes are unescaped into a buffer kept between events,
/// so steady state allocates nothing. One instance per connection (not thread-safe).
/// </summary>
internal sealed class FieldLocator
{
    private int[] _generation = [];
    private int[] _start = [];
    private int[] _length = [];
    private FieldKind[] _kind = [];
    private bool[] _inScratch = [];
    private byte[] _scratch = new byte[256];
    private int _scratchUsed;
    private int _current = 1;

    /// <summary>Forgets every located value (the event changed, or a new one begins).</summary>
    public void Invalidate()
    {
        _current++;
        _scratchUsed = 0;
        if (_current == int.MaxValue)
        {
            Array.Clear(_generation);
            _current = 1;
        }
    }

    /// <summary>The value of <paramref name="path"/> (a JSON path with a slot) in <paramref name="json"/>.</summary>
    public FieldValue Find(ReadOnlySpan<byte> json, FieldPath path)
    {
        int slot = path.Slot;
        if (slot < 0) return Locate(json, path, cache: false, 0);
        if (slot >= _generation.Length) Grow(slot + 1);
        if (_generation[slot] != _current) return Locate(json, path, cache: true, slot);
        var kind = _kind[slot];
        if (kind == FieldKind.Missing) return FieldValue.Missing;
        var source = _inScratch[slot] ? _scratch.AsSpan() : json;
        return new FieldValue(kind, source.Slice(_start[slot], _length[slot]));
    }

    private FieldValue Locate(ReadOnlySpan<byte> json, FieldPath path, bool cache, int slot)
    {
        FieldKind kind = FieldKind.Missing;
        int start = 0, length = 0;
        bool inScratch = false;
        if (JsonPathSearch.TryFind(json, path, out int at, out int len, out JsonTokenType type))
        {
            kind = KindOf(type);
            start = at;
            length = len;
            if (kind == FieldKind.String)
            {
                // Content without the quotes; unescaped when the text has escapes.
                var content = json.Slice(at + 1, len - 2);
                if (content.IndexOf((byte)'\\') < 0)
                {
                    start = at + 1;
                    length = len - 2;
                }
                else
                {
                    EnsureScratch(content.Length);
                    if (!JsonUnescaper.TryUnescape(content, _scratch.AsSpan(_scratchUsed), out int written))
                    {
                        var reader = new Utf8JsonReader(json.Slice(at, len));
                        reader.Read();
                        written = reader.CopyString(_scratch.AsSpan(_scratchUsed));
                    }
                    start = _scratchUsed;
                    length = written;
                    _scratchUsed += written;
                    inScratch = true;
                }
            }
        }
        if (cache)
        {
            _generation[slot] = _current;
            _kind[slot] = kind;
            _start[slot] = start;
            _length[slot] = length;
            _inScratch[slot] = inScratch;
        }
        if (kind == FieldKind.Missing) return FieldValue.Missing;
        return new FieldValue(kind, (inScratch ? _scratch.AsSpan() : json).Slice(start, length));
    }

    private static FieldKind KindOf(JsonTokenType type) => type switch
    {
        JsonTokenType.String => FieldKind.String,
        JsonTokenType.Number => FieldKind.Number,
        JsonTokenType.True => FieldKind.True,
        JsonTokenType.False => FieldKind.False,
        JsonTokenType.Null => FieldKind.Null,
        JsonTokenType.StartObject => FieldKind.Object,
        JsonTokenType.StartArray => FieldKind.Array,
        _ => FieldKind.Missing,
    };

    private void EnsureScratch(int more)
    {
        if (_scratch.Length - _scratchUsed >= more) return;
        // Values located earlier for this event point into the old array by offset: copy them over.
        var next = new byte[Math.Max(_scratch.Length * 2, _scratchUsed + more)];
        _scratch.AsSpan(0, _scratchUsed).CopyTo(next);
        _scratch = next;
    }

    private void Grow(int slots)
    {
        Array.Resize(ref _generation, slots);
        Array.Resize(ref _start, slots);
        Array.Resize(ref _length, slots);
        Array.Resize(ref _kind, slots);
        Array.Resize(ref _inScratch, slots);
    }
}
