using System.Text.Json;

namespace Ingestd.Parsing.Dialects.Levels;

/// <summary>
/// The five-level enum <c>debug|info|warn|error|fatal</c> that Air and Operyn accept as a level,
/// matched exactly (case-sensitive, after unescaping) and stored under the same names.
/// </summary>
internal static class LogLevels
{
    /// <summary>No level (absent, null or not one of the five).</summary>
    public const int None = -1;

    /// <summary>The level the current string value names (0 debug … 4 fatal), or <see cref="None"/>.</summary>
    public static int Match(ref Utf8JsonReader reader)
    {
        // ValueTextEquals compares after unescaping, so "\u0069nfo" is "info".
        if (reader.ValueTextEquals("debug"u8)) return 0;
        if (reader.ValueTextEquals("info"u8)) return 1;
        if (reader.ValueTextEquals("warn"u8)) return 2;
        if (reader.ValueTextEquals("error"u8)) return 3;
        if (reader.ValueTextEquals("fatal"u8)) return 4;
        return None;
    }

    /// <summary>The stored name of <paramref name="level"/>; empty for <see cref="None"/>.</summary>
    public static ReadOnlySpan<byte> Name(int level) => level switch
    {
        0 => "debug"u8,
        1 => "info"u8,
        2 => "warn"u8,
        3 => "error"u8,
        4 => "fatal"u8,
        _ => default,
    };
}
