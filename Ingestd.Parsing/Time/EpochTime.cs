using System.Buffers.Text;

namespace Ingestd.Parsing.Time;

/// <summary>
/// Turns a number of Unix epoch units (a JSON number's text, or a string holding one) into Unix
/// nanoseconds, the unit read from the magnitude, as shippers send seconds (GELF, Splunk HEC),
/// milliseconds (pino, bunyan, Elasticsearch's <c>epoch_millis</c>), microseconds or nanoseconds
/// without saying which:
/// <list type="table">
/// <item><c>|n| &lt; 1e11</c>: seconds (a fraction down to nanoseconds allowed)</item>
/// <item><c>|n| &lt; 1e14</c>: milliseconds</item>
/// <item><c>|n| &lt; 1e17</c>: microseconds</item>
/// <item>else nanoseconds</item>
/// </list>
/// Each cut-off is 1973-03-03 in the next smaller unit and 5138-11-16 in the larger one, so every
/// time between those dates reads right whatever its unit; nothing else is guessed. Fraction digits
/// below a nanosecond are truncated. Exponent forms (<c>1.7e12</c>) go through a double (about 16
/// significant digits). Values a long of nanoseconds cannot hold (after 2262) are refused.
/// Allocation-free.
/// </summary>
internal static class EpochTime
{
    public const long SecondsBelow = 100_000_000_000;               // 1e11
    public const long MillisecondsBelow = 100_000_000_000_000;      // 1e14
    public const long MicrosecondsBelow = 100_000_000_000_000_000;  // 1e17

    /// <summary>
    /// Parses <c>-?digits[.digits][(e|E)[+-]digits]</c> (JSON number syntax, leading zeros tolerated,
    /// since strings of digits are read the same way) into Unix nanoseconds UTC.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> number, out long unixNanos)
    {
        unixNanos = 0;
        int i = 0;
        bool negative = number.Length > 0 && number[0] == (byte)'-';
        if (negative) i++;

        int wholeStart = i;
        while (i < number.Length && IsDigit(number[i])) i++;
        var whole = number[wholeStart..i];
        if (whole.IsEmpty) return false;

        scoped ReadOnlySpan<byte> fraction = default;
        if (i < number.Length && number[i] == (byte)'.')
        {
            int fractionStart = ++i;
            while (i < number.Length && IsDigit(number[i])) i++;
            fraction = number[fractionStart..i];
            if (fraction.IsEmpty) return false;
        }
        if (i < number.Length)
        {
            return (number[i] | 0x20) == (byte)'e' && IsExponent(number[(i + 1)..]) && TryParseDouble(number, out unixNanos);
        }

        // Exact path: whole units, then the fraction's digits down to nanoseconds.
        whole = whole.TrimStart((byte)'0');
        if (whole.Length > 19 || !Utf8Parser.TryParse(whole.IsEmpty ? "0"u8 : whole, out ulong units, out _)) return false;
        if (units > long.MaxValue) return false;

        Unit((long)units, out long scale, out int fractionDigits);
        long sub = 0;
        for (int d = 0; d < fractionDigits; d++) sub = sub * 10 + (d < fraction.Length ? fraction[d] - '0' : 0);
        if ((long)units > (long.MaxValue - sub) / scale) return false;
        long ns = (long)units * scale + sub;
        unixNanos = negative ? -ns : ns;
        return true;
    }

    /// <summary>Nanoseconds per unit, and how many fraction digits reach down to a nanosecond, for a magnitude.</summary>
    private static void Unit(long magnitude, out long scale, out int fractionDigits)
    {
        if (magnitude < SecondsBelow) { scale = 1_000_000_000; fractionDigits = 9; }
        else if (magnitude < MillisecondsBelow) { scale = 1_000_000; fractionDigits = 6; }
        else if (magnitude < MicrosecondsBelow) { scale = 1_000; fractionDigits = 3; }
        else { scale = 1; fractionDigits = 0; }
    }

    private static bool TryParseDouble(ReadOnlySpan<byte> number, out long unixNanos)
    {
        unixNanos = 0;
        // Utf8Parser's default ('G') format reads both fixed and exponent notation.
        if (!Utf8Parser.TryParse(number, out double value, out int consumed) || consumed != number.Length || !double.IsFinite(value)) return false;
        double magnitude = Math.Abs(value);
        Unit(magnitude >= long.MaxValue ? long.MaxValue : (long)magnitude, out long scale, out _);
        double ns = Math.Round(value * scale);
        if (ns is <= long.MinValue or >= long.MaxValue) return false;
        unixNanos = (long)ns;
        return true;
    }

    private static bool IsExponent(ReadOnlySpan<byte> s)
    {
        if (!s.IsEmpty && (s[0] == (byte)'+' || s[0] == (byte)'-')) s = s[1..];
        return !s.IsEmpty && s.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
