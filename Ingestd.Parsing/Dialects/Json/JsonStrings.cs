using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Ingestd.Parsing.Time;

namespace Ingestd.Parsing.Dialects.Json;

/// <summary>Unescaping helpers shared by the dialect parsers; no allocation.</summary>
internal static class JsonStrings
{
    /// <summary>Longest escaped member name the parsers unescape; all known names are at most 10 bytes (6 × 10 raw).</summary>
    public const int MaxEscapedNameLength = 64;

    /// <summary>
    /// Unescapes the current string or property name into <paramref name="dest"/>. Returns false when its
    /// escapes are not valid UTF-16 (a lone surrogate such as "\uD800": valid JSON syntax, but no text)
    /// or it does not fit <paramref name="dest"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the try/catch off the callers' hot paths
    public static bool TryCopyString(ref Utf8JsonReader reader, scoped Span<byte> dest, out int length)
    {
        try
        {
            length = reader.CopyString(dest);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// Matches the current property name against <typeparamref name="TNames"/>, unescaping it first when it
    /// holds escapes. A name that cannot be unescaped (a lone surrogate) or is too long to be ours is 0.
    /// </summary>
    public static int Identify<TNames>(ref Utf8JsonReader reader) where TNames : struct, IJsonNameTable
    {
        if (!reader.ValueIsEscaped) return TNames.Match(reader.ValueSpan);
        if (reader.ValueSpan.Length > MaxEscapedNameLength) return 0;
        Span<byte> name = stackalloc byte[MaxEscapedNameLength];
        return TryCopyString(ref reader, name, out int length) ? TNames.Match(name[..length]) : 0;
    }

    /// <summary>
    /// As <see cref="Identify{TNames}"/>, but a name that cannot be unescaped throws the reader's
    /// <see cref="InvalidOperationException"/>, for parsers that refuse such a body as invalid JSON.
    /// </summary>
    public static int IdentifyOrThrow<TNames>(ref Utf8JsonReader reader) where TNames : struct, IJsonNameTable
    {
        if (!reader.ValueIsEscaped) return TNames.Match(reader.ValueSpan);
        if (reader.ValueSpan.Length > MaxEscapedNameLength) return 0;
        Span<byte> name = stackalloc byte[MaxEscapedNameLength];
        return TNames.Match(name[..reader.CopyString(name)]);
    }

    /// <summary>
    /// Parses the current string value as a timestamp (<see cref="TimestampParser"/>) when its raw text is at
    /// most <paramref name="scratch"/>.Length bytes; escaped text is unescaped into <paramref name="scratch"/>
    /// first. A lone surrogate escape throws the reader's <see cref="InvalidOperationException"/>.
    /// </summary>
    public static bool TryParseTimestamp(ref Utf8JsonReader reader, scoped Span<byte> scratch, out long eventNs)
    {
        eventNs = 0;
        var raw = reader.ValueSpan;
        if (raw.Length > scratch.Length) return false;
        var text = reader.ValueIsEscaped ? scratch[..reader.CopyString(scratch)] : raw;
        return TimestampParser.TryParse(text, out eventNs);
    }

    /// <summary>
    /// Takes the current string value if it is at most <paramref name="limit"/> bytes after unescaping, for parsers
    /// that keep one unescaped value: values without escapes stay in the body; escaped ones are unescaped into the
    /// start of <paramref name="scratch"/>, rented (6 × <paramref name="limit"/>) on first need. Returns false when too
    /// long; a lone surrogate escape throws the reader's <see cref="InvalidOperationException"/>.
    /// </summary>
    public static bool TryCapture(ref Utf8JsonReader reader, int limit, ref byte[]? scratch, out JsonValue value)
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
        int size = 6 * limit;
        if (raw.Length > size) return false;
        scratch ??= ArrayPool<byte>.Shared.Rent(size);
        int length = reader.CopyString(scratch.AsSpan(0, size));
        if (length > limit) return false;
        value = new JsonValue(0, length, inScratch: true);
        return true;
    }
}
