using System.Globalization;

namespace Ingestd.Config;

/// <summary>Parses the human units used in the config file and on the command line.</summary>
internal static class ConfigUnits
{
    /// <summary>
    /// "256MiB", "1 GB", "512", "0": digits, optional spaces, optional unit (case-insensitive).
    /// KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024, B or no unit is bytes.
    /// </summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        if (!SplitNumber(text, out long number, out string unit))
            return false;
        long multiplier = unit.ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "kb" => 1000L,
            "mb" => 1000L * 1000,
            "gb" => 1000L * 1000 * 1000,
            "tb" => 1000L * 1000 * 1000 * 1000,
            "kib" => 1L << 10,
            "mib" => 1L << 20,
            "gib" => 1L << 30,
            "tib" => 1L << 40,
            _ => 0,
        };
        if (multiplier == 0 || number > long.MaxValue / multiplier)
            return false;
        bytes = number * multiplier;
        return true;
    }

    /// <summary>"250ms", "30s", "5m", "1h", "1d"; a bare number is seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (!SplitNumber(text, out long number, out string unit))
            return false;
        long ticksPerUnit = unit.ToLowerInvariant() switch
        {
            "ms" => TimeSpan.TicksPerMillisecond,
            "" or "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            "d" => TimeSpan.TicksPerDay,
            _ => 0,
        };
        if (ticksPerUnit == 0 || number > TimeSpan.MaxValue.Ticks / ticksPerUnit)
            return false;
        duration = TimeSpan.FromTicks(number * ticksPerUnit);
        return true;
    }

    /// <summary>Duration from a TOML integer (seconds).</summary>
    public static bool TryFromSeconds(long seconds, out TimeSpan duration)
    {
        duration = default;
        if (seconds < 0 || seconds > TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond)
            return false;
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>Splits "  12 MiB " into 12 and "MiB"; no sign, no fraction.</summary>
    private static bool SplitNumber(string text, out long number, out string unit)
    {
        number = 0;
        unit = "";
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            digits++;
        if (digits == 0)
            return false;
        if (!long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out number))
            return false;
        unit = s[digits..].TrimStart().ToString();
        return true;
    }
}
