using System.Globalization;
using Ingestd.Config;

namespace Ingestd.Query;

/// <summary><c>since</c>/<c>until</c>: an RFC 3339 instant, or a duration meaning that long before now (<c>15m</c>, <c>2h</c>, <c>1d</c>).</summary>
internal static class QueryTime
{
    public static bool TryParse(string value, DateTimeOffset now, out DateTimeOffset instant)
    {
        if (value.Length > 0 && char.IsAsciiDigit(value[0]) && !value.All(char.IsAsciiDigit)
            && ConfigUnits.TryParseDuration(value, out TimeSpan ago))
        {
            instant = now - ago;
            return true;
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }

    public static long ToUnixNs(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTime.UnixEpoch.Ticks;
        return Math.Clamp(ticks, long.MinValue / 100, long.MaxValue / 100) * 100;
    }
}
