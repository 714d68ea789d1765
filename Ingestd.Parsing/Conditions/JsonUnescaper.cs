using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text.Json;

namespace Ingestd.Parsing.Conditions;

/// <summary>
/// Unescapes JSON string content that a reader has already read (so its escapes are well formed), without reading it
/// again: the same bytes <see cref="Utf8JsonReader.CopyString(Span{byte})"/> gives. Used for a located field's value
/// (<see cref="FieldLocator"/>) and by the rewrite passes' reader, which also unescapes a string as it finds its end.
/// </summary>
internal static class JsonUnescaper
{
    /// <summary>
    /// Unescapes the whole of a string's content (between its quotes). False for a <c>\u</c> escape of a surrogate,
    /// left to the reader (which pairs them), and for a <paramref name="dest"/> shorter than the content or overlapping it.
    /// </summary>
    public static bool TryUnescape(ReadOnlySpan<byte> content, Span<byte> dest, out int written)
    {
        written = 0;
        // The copies run ahead of what is unescaped: dest must be another buffer, at least as long (unescaping only
        // shortens, so it then never runs out).
        if (dest.Length < content.Length || dest.Overlaps(content)) return false;
        int i = 0;
        bool escaped = false, solidus = false;
        while (true)
        {
            UnescapeRun(content, ref i, dest, ref written, ref escaped, ref solidus);
            if (i >= content.Length) return true;
            // Stopped at a \u (a quote or anything else is not content that was read as a string).
            if (content[i] != '\\' || i + 6 > content.Length || content[i + 1] != 'u') return false;
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
            i += 6;
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> from <paramref name="read"/> into <paramref name="dest"/> from
    /// <paramref name="written"/>, unescaping the one-byte escapes, until the end of the source, an unescaped quote (a
    /// string's end) or an escape of another kind (<c>\u</c>), which is left at <paramref name="read"/> for the caller.
    /// False when <paramref name="dest"/> ran out of room first. <paramref name="escaped"/>: an escape was unescaped;
    /// <paramref name="solidus"/>: a <c>\/</c> among them. Sixteen bytes are copied at a time up to the next stop:
    /// escapes are often a few bytes apart (a message holding JSON has one per quote), where a search per escape costs more.
    /// </summary>
    public static bool UnescapeRun(ReadOnlySpan<byte> source, ref int read, Span<byte> dest, ref int written, ref bool escaped, ref bool solidus)
    {
        var quote = Vector128.Create((byte)'"');
        var backslash = Vector128.Create((byte)'\\');
        int i = read, w = written;
        bool roomLeft = true;
        while (true)
        {
            if (i + 16 <= source.Length && w + 16 <= dest.Length)
            {
                var v = Vector128.Create(source.Slice(i, 16));
                v.CopyTo(dest[w..]);
                uint stops = (Vector128.Equals(v, quote) | Vector128.Equals(v, backslash)).ExtractMostSignificantBits();
                if (stops == 0)
                {
                    i += 16;
                    w += 16;
                    continue;
                }
                int k = BitOperations.TrailingZeroCount(stops);
                i += k;
                w += k;
            }
            else
            {
                if (i >= source.Length) break;
                byte b = source[i];
                if (b != '"' && b != '\\')
                {
                    if (w >= dest.Length)
                    {
                        roomLeft = false;
                        break;
                    }
                    dest[w++] = b;
                    i++;
                    continue;
                }
            }
            if (source[i] == '"' || i + 1 >= source.Length) break;
            int one = UnescapedByte(source[i + 1]);
            if (one < 0) break;
            if (w >= dest.Length)
            {
                roomLeft = false;
                break;
            }
            escaped = true;
            if (one == '/') solidus = true;
            dest[w++] = (byte)one;
            i += 2;
        }
        read = i;
        written = w;
        return roomLeft;
    }

    // The byte a one-byte escape (\" \\ \/ \b \f \n \r \t) stands for, by the byte after its backslash; -1 for any other.
    private static int UnescapedByte(byte escape) => escape switch
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
}
