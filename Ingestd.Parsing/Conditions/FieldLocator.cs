using System.Numerics;
using System.Runtime.Intrinsics;
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
                    if (!TryUnescape(content, _scratch.AsSpan(_scratchUsed), out int written))
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

    /// <summary>
    /// Unescapes a string's content that a reader has already read (so its escapes are well formed) without reading it
    /// again: the same bytes <see cref="Utf8JsonReader.CopyString(Span{byte})"/> gives. False for a <c>\u</c> escape of a
    /// surrogate, left to the reader (which pairs them), and for a <paramref name="dest"/> shorter than the content or
    /// overlapping it.
    /// </summary>
    internal static bool TryUnescape(ReadOnlySpan<byte> content, Span<byte> dest, out int written)
    {
        written = 0;
        int i = 0;
        // The copies below run ahead of what is unescaped: dest must be another buffer, at least as long.
        if (dest.Length < content.Length || dest.Overlaps(content)) return false;
        var backslash = Vector128.Create((byte)'\\');
        while (i < content.Length)
        {
            // Sixteen bytes copied at a time up to the next backslash: escapes are often a few bytes apart (a message
            // holding JSON has one per quote), where starting a search per escape costs more. Unescaping only shortens,
            // so what is written never passes what is read, and dest is at least as long as content.
            if (i + 16 <= content.Length)
            {
                var v = Vector128.Create(content.Slice(i, 16));
                v.CopyTo(dest[written..]);
                uint found = Vector128.Equals(v, backslash).ExtractMostSignificantBits();
                if (found == 0)
                {
                    i += 16;
                    written += 16;
                    continue;
                }
                int at = BitOperations.TrailingZeroCount(found);
                i += at;
                written += at;
            }
            else
            {
                int slash = content[i..].IndexOf((byte)'\\');
                if (slash < 0) slash = content.Length - i;
                content.Slice(i, slash).CopyTo(dest[written..]);
                written += slash;
                i += slash;
                if (i >= content.Length) break;
            }
            if (i + 1 >= content.Length) return false;
            byte e = content[i + 1];
            int one = UnescapedByte(e);
            if (one >= 0) dest[written++] = (byte)one;
            else if (e == (byte)'u')
            {
                if (i + 6 > content.Length) return false;
                int code = 0;
                for (int k = 2; k < 6; k++)
                {
                    int h = HexValue(content[i + k]);
                    if (h < 0) return false;
                    code = code << 4 | h;
                }
                if (code is >= 0xD800 and <= 0xDFFF) return false;
                if (code < 0x80) dest[written++] = (byte)code;
                else if (code < 0x800)
                {
                    dest[written++] = (byte)(0xC0 | code >> 6);
                    dest[written++] = (byte)(0x80 | code & 0x3F);
                }
                else
                {
                    dest[written++] = (byte)(0xE0 | code >> 12);
                    dest[written++] = (byte)(0x80 | code >> 6 & 0x3F);
                    dest[written++] = (byte)(0x80 | code & 0x3F);
                }
                i += 4;
            }
            else return false;
            i += 2;
        }
        return true;
    }

    /// <summary>The byte a one-byte escape (<c>\"</c>, <c>\\</c>, <c>\/</c>, <c>\b</c>, <c>\f</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>) stands for, by the byte after its backslash; -1 for any other.</summary>
    internal static int UnescapedByte(byte escape) => escape switch
    {
        (byte)'"' or (byte)'\\' or (byte)'/' => escape,
        (byte)'b' => 0x08,
        (byte)'f' => 0x0c,
        (byte)'n' => 0x0a,
        (byte)'r' => 0x0d,
        (byte)'t' => 0x09,
        _ => -1,
    };

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
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
