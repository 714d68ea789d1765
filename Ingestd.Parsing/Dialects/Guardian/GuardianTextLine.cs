using System.Buffers;
using System.Text;
using Ingestd.Parsing.Time;

namespace Ingestd.Parsing.Dialects.Guardian;

/// <summary>
/// The pieces of one plain-text log line (<c>2025-10-08 12:00:00 INFO User logged in</c>): a leading
/// timestamp, a level word, and the line as a JSON string. All allocation-free.
/// </summary>
internal static class GuardianTextLine
{
    /// <summary>Longest timestamp prefix tried; TimestampParser accepts nothing shorter than 10 bytes.</summary>
    public const int MaxTimestampLength = 64;
    private const int MinTimestampLength = 10;

    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\"u8);

    private static ReadOnlySpan<byte> Prefix => "{\"message\":\""u8;
    private static ReadOnlySpan<byte> Suffix => "\"}"u8;
    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    /// <summary>
    /// Length of the timestamp at the start of <paramref name="line"/>, or 0 when there is none: the
    /// longest prefix TimestampParser accepts, taken from the first space-separated word, or from the
    /// first two words so that the SQL form <c>date SP time</c> counts as one timestamp.
    /// </summary>
    public static int TimestampPrefix(ReadOnlySpan<byte> line, out long unixNanos)
    {
        unixNanos = 0;
        if (line.Length < MinTimestampLength || !char.IsAsciiDigit((char)line[0])) return 0;
        int end = line.IndexOf((byte)' ');
        if (end < 0)
        {
            end = line.Length;
        }
        else
        {
            int second = line[(end + 1)..].IndexOf((byte)' ');
            end = second < 0 ? line.Length : end + 1 + second;
        }
        for (int n = Math.Min(end, MaxTimestampLength); n >= MinTimestampLength; n--)
        {
            if (TimestampParser.TryParse(line[..n], out unixNanos)) return n;
        }
        unixNanos = 0;
        return 0;
    }

    /// <summary>
    /// The normalised level named by the word at the start of <paramref name="rest"/> (after spaces
    /// and tabs): TRACE, DEBUG, INFO, NOTICE, WARN/WARNING, ERROR/ERR, FATAL/CRITICAL in any case,
    /// bare, followed by ':' or in brackets (<c>[INFO]</c>). Empty when there is no level word.
    /// </summary>
    public static ReadOnlySpan<byte> Level(ReadOnlySpan<byte> rest)
    {
        int start = rest.IndexOfAnyExcept(" \t"u8);
        if (start < 0) return default;
        rest = rest[start..];
        // The longest level word has 8 letters: look no further than that (and its brackets).
        if (rest[0] == (byte)'[')
        {
            int close = rest[..Math.Min(rest.Length, 10)].IndexOf((byte)']');
            return close < 0 ? default : Normalise(rest[1..close]);
        }
        int wordEnd = rest[..Math.Min(rest.Length, 9)].IndexOfAny(" \t:"u8);
        if (wordEnd < 0)
        {
            if (rest.Length > 8) return default;
            wordEnd = rest.Length;
        }
        return Normalise(rest[..wordEnd]);
    }

    private static ReadOnlySpan<byte> Normalise(ReadOnlySpan<byte> word) => word.Length switch
    {
        3 when Ascii.EqualsIgnoreCase(word, "err"u8) => "error"u8,
        4 when Ascii.EqualsIgnoreCase(word, "info"u8) => "info"u8,
        4 when Ascii.EqualsIgnoreCase(word, "warn"u8) => "warn"u8,
        5 when Ascii.EqualsIgnoreCase(word, "trace"u8) => "trace"u8,
        5 when Ascii.EqualsIgnoreCase(word, "debug"u8) => "debug"u8,
        5 when Ascii.EqualsIgnoreCase(word, "error"u8) => "error"u8,
        5 when Ascii.EqualsIgnoreCase(word, "fatal"u8) => "fatal"u8,
        6 when Ascii.EqualsIgnoreCase(word, "notice"u8) => "notice"u8,
        7 when Ascii.EqualsIgnoreCase(word, "warning"u8) => "warn"u8,
        8 when Ascii.EqualsIgnoreCase(word, "critical"u8) => "fatal"u8,
        _ => default,
    };

    /// <summary>Bytes <see cref="WriteMessageJson"/> writes for <paramref name="line"/>.</summary>
    public static long MessageJsonLength(ReadOnlySpan<byte> line)
    {
        long length = Prefix.Length + Suffix.Length + line.Length;
        int at;
        while ((at = line.IndexOfAny(NeedsEscape)) >= 0)
        {
            length += line[at] is (byte)'"' or (byte)'\\' ? 1 : 5; // \" \\ or \u00XX
            line = line[(at + 1)..];
        }
        return length;
    }

    /// <summary>
    /// Writes <c>{"message":"…"}</c> holding <paramref name="line"/> as a JSON string (RFC 8259 §7):
    /// quote and backslash escaped, control characters as <c>\u00XX</c>, other UTF-8 copied as is
    /// (the caller has validated it). <paramref name="dest"/> must hold <see cref="MessageJsonLength"/> bytes.
    /// </summary>
    public static int WriteMessageJson(ReadOnlySpan<byte> line, Span<byte> dest)
    {
        Prefix.CopyTo(dest);
        int written = Prefix.Length;
        int at;
        while ((at = line.IndexOfAny(NeedsEscape)) >= 0)
        {
            line[..at].CopyTo(dest[written..]);
            written += at;
            byte b = line[at];
            dest[written++] = (byte)'\\';
            if (b is (byte)'"' or (byte)'\\')
            {
                dest[written++] = b;
            }
            else
            {
                dest[written++] = (byte)'u';
                dest[written++] = (byte)'0';
                dest[written++] = (byte)'0';
                dest[written++] = Hex[b >> 4];
                dest[written++] = Hex[b & 0xF];
            }
            line = line[(at + 1)..];
        }
        line.CopyTo(dest[written..]);
        written += line.Length;
        Suffix.CopyTo(dest[written..]);
        return written + Suffix.Length;
    }
}
