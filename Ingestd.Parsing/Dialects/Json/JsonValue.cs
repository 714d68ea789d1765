namespace Ingestd.Parsing.Dialects.Json;

/// <summary>
/// Where a captured JSON value lives: in the span it was read from (values without escapes, the
/// common case, are never copied) or in a <see cref="JsonScratch"/> array (unescaped copies).
/// </summary>
internal readonly struct JsonValue(int start, int length, bool inScratch, bool tooLong = false)
{
    public int Length => length;

    /// <summary>Set by callers that keep a value's raw extent only to report that it is too long.</summary>
    public bool TooLong => tooLong;

    /// <summary>The part of this value from <paramref name="offset"/>, <paramref name="count"/> bytes long (a trimmed value).</summary>
    public JsonValue Slice(int offset, int count) => new(start + offset, count, inScratch, tooLong);

    public ReadOnlySpan<byte> Span(ReadOnlySpan<byte> source, byte[]? scratch)
        => inScratch ? scratch.AsSpan(start, length) : source.Slice(start, length);
}
