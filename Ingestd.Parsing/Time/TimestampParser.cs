
namespace Ingestd.Parsing.Time;

/// <summary>
/// Parses event timestamps into Unix nanoseconds UTC without allocating. Accepted shapes
/// (DESIGN.md §4): RFC 3339 / ISO 8601 extended (<c>2024-05-31T15:30:45.123+02:00</c>),
/// ISO 8601 basic (<c>20240531T153045Z</c>), SQL (<c>2024-05-31 15:30:45[.ffffff]</c>) and
/// an extended calendar date alone (<c>2024-05-31</c>, midnight UTC). No offset means UTC.
/// </summary>
internal static class TimestampParser
{
    private const long NanosPerSecond = 1_000_000_000;

    // A long holds Unix nanoseconds from 1677-09-21 to 2262-04-11; outside that the value
    // cannot be represented, so such timestamps are refused rather than silently wrapped.
    private const long MinSeconds = long.MinValue / NanosPerSecond;
    private const long MaxSeconds = long.MaxValue / NanosPerSecond;
    private const long MaxFractionAtMaxSeconds = long.MaxValue % NanosPerSecond;

    public static bool TryParse(ReadOnlySpan<byte> s, out long unixNanos)
    {
        unixNanos = 0;
        if (!Digits4(s, 0, out int year)) return false;

        bool extended;
        int month, day, i;
        if (s.Length > 4 && s[4] == (byte)'-')
        {
            extended = true;
            if (!Digits2(s, 5, out month) || s.Length < 8 || s[7] != (byte)'-' || !Digits2(s, 8, out day)) return false;
            i = 10;
        }
        else
        {
            extended = false;
            if (!Digits2(s, 4, out month) || !Digits2(s, 6, out day)) return false;
            i = 8;
        }
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;

        int hour = 0, minute = 0, second = 0, offsetSeconds = 0;
        long fraction = 0;
        if (i == s.Length)
        {
            // A bare basic date (20240531) is too easily a plain number: only the extended form stands alone.
            if (!extended) return false;
        }
        else
        {
            byte sep = s[i];
            // RFC 3339 §5.6 allows lowercase 't'; the SQL form uses a space (extended only).
            if (sep != (byte)'T' && sep != (byte)'t' && !(sep == (byte)' ' && extended)) return false;
            i++;

            if (!Digits2(s, i, out hour)) return false;
            i += 2;
            if (extended)
            {
                if (i >= s.Length || s[i] != (byte)':') return false;
                i++;
            }
            if (!Digits2(s, i, out minute)) return false;
            i += 2;

            bool hasSeconds = false;
            if (extended && i < s.Length && s[i] == (byte)':')
            {
                if (!Digits2(s, i + 1, out second)) return false;
                i += 3;
                hasSeconds = true;
            }
            else if (!extended && i < s.Length && IsDigit(s[i]))
            {
                if (!Digits2(s, i, out second)) return false;
                i += 2;
                hasSeconds = true;
            }

            // ISO 8601 §4.2.2.4 allows a comma as the decimal sign as well as a full stop.
            if (hasSeconds && i < s.Length && (s[i] == (byte)'.' || s[i] == (byte)','))
            {
                i++;
                int start = i, digits = 0;
                while (i < s.Length && IsDigit(s[i]))
                {
                    if (digits < 9)
                    {
                        fraction = fraction * 10 + (s[i] - '0');
                        digits++;
                    }
                    i++; // digits beyond nanoseconds are truncated
                }
                if (i == start) return false;
                for (; digits < 9; digits++) fraction *= 10;
            }

            if (i < s.Length)
            {
                byte c = s[i];
                if (c == (byte)'Z' || c == (byte)'z')
                {
                    i++;
                }
                else if (c == (byte)'+' || c == (byte)'-')
                {
                    if (!Digits2(s, i + 1, out int offHours)) return false;
                    i += 3;
                    int offMinutes = 0;
                    if (i < s.Length && s[i] == (byte)':')
                    {
                        if (!Digits2(s, i + 1, out offMinutes)) return false;
                        i += 3;
                    }
                    else if (i < s.Length && IsDigit(s[i]))
                    {
                        if (!Digits2(s, i, out offMinutes)) return false;
                        i += 2;
                    }
                    if (offHours > 23 || offMinutes > 59) return false;
                    offsetSeconds = offHours * 3600 + offMinutes * 60;
                    if (c == (byte)'-') offsetSeconds = -offsetSeconds;
                }
                else
                {
                    return false;
                }
            }
            if (i != s.Length) return false;
        }

        if (hour > 23 || minute > 59 || second > 60) return false;
        if (second == 60)
        {
            // Leap second (RFC 3339 §5.7): Unix time has no slot for it, so keep it in the same second's last instant.
            second = 59;
            fraction = NanosPerSecond - 1;
        }

        long seconds = DaysFromCivil(year, month, day) * 86400L + hour * 3600 + minute * 60 + second - offsetSeconds;
        if (seconds < MinSeconds || seconds > MaxSeconds) return false;
        if (seconds == MaxSeconds && fraction > MaxFractionAtMaxSeconds) return false;
        unixNanos = seconds * NanosPerSecond + fraction;
        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static bool Digits2(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if ((uint)(at + 1) >= (uint)s.Length) return false;
        uint a = (uint)(s[at] - '0'), b = (uint)(s[at + 1] - '0');
        if (a > 9 || b > 9) return false;
        value = (int)(a * 10 + b);
        return true;
    }

    private static bool Digits4(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if (!Digits2(s, at, out int hi) || !Digits2(s, at + 2, out int lo)) return false;
        value = hi * 100 + lo;
        return true;
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    private static long DaysFromCivil(int year, int month, int day)
    {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146097L + dayOfEra - 719468;
    }
}
