using System.Buffers;
using System.Text.Json;

namespace Ingestd.Parsing.Dialects.Json;

/// <summary>
/// One pooled array, rented on first need, holding a parser's unescaped field values: a temporary
/// area that escaped strings are unescaped into, and per-field slots (offsets chosen by the parser)
/// that accepted values are kept in. Values without escapes stay in the body and need no array.
/// </summary>
internal struct JsonScratch(int size, int tempStart, int tempSize) : IDisposable
{
    private byte[]? _array;

    /// <summary>The array if it has been rented, else null (does not rent).</summary>
    public readonly byte[]? Rented => _array;

    /// <summary>The array, rented now if it was not yet.</summary>
    public byte[] Array => _array ??= ArrayPool<byte>.Shared.Rent(size);

    public Span<byte> Temp => Array.AsSpan(tempStart, tempSize);

    /// <summary>
    /// Takes the current string value if it is at most <paramref name="limit"/> bytes after unescaping.
    /// Unescaped values stay in the body; escaped ones are unescaped into the temporary area first, so
    /// that a value refused here leaves the slot's current one intact, then copied to <paramref name="slot"/>.
    /// Returns false for a value too long or one whose escapes are not valid UTF-16.
    /// </summary>
    public bool TryCapture(ref Utf8JsonReader reader, int limit, int slot, out JsonValue value)
    {
        value = default;
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            if (raw.Length > limit) return false;
            value = new JsonValue((int)reader.TokenStartIndex + 1, raw.Length, inScratch: false);
            return true;
        }
        // A JSON escape is at most 6 bytes per output byte: longer raw text is too long whatever it holds.
        if (raw.Length > 6 * limit) return false;
        var temp = Temp;
        if (!JsonStrings.TryCopyString(ref reader, temp, out int length) || length > limit) return false;
        temp[..length].CopyTo(Array.AsSpan(slot));
        value = new JsonValue(slot, length, inScratch: true);
        return true;
    }

    public void Dispose()
    {
        if (_array is not null) ArrayPool<byte>.Shared.Return(_array);
        _array = null;
    }
}
