using System.Buffers.Text;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Json;

namespace Ingestd.Parsing.Dialects.Levels;

/// <summary>
/// The one place a numeric level becomes a level name, so that <c>read --level info</c> finds pino's 30,
/// syslog's 6 and OpenTelemetry's 9 alike. Names are those the string levels use (lower case, <c>warn</c>,
/// <c>error</c>); syslog's 0–2 and 5, which have no such name, keep syslog's keywords. A number outside
/// its scale has no name and is kept as its text. Allocation-free.
/// </summary>
internal static class LevelNumbers
{
    /// <summary>The name of <paramref name="number"/> on <paramref name="scale"/>, or empty when it has none.</summary>
    public static ReadOnlySpan<byte> Name(long number, LevelScale scale) => scale switch
    {
        LevelScale.Syslog => Syslog(number),
        LevelScale.Pino => Pino(number),
        LevelScale.SyslogOrPino => number is >= 0 and <= 7 ? Syslog(number) : Pino(number),
        LevelScale.OtelSeverity => OtelSeverity(number),
        _ => default,
    };

    /// <summary>The name of the integer <paramref name="numberText"/> (a JSON number) on <paramref name="scale"/>, or empty.</summary>
    public static ReadOnlySpan<byte> Name(ReadOnlySpan<byte> numberText, LevelScale scale)
    {
        if (!Utf8Parser.TryParse(numberText, out long number, out int consumed) || consumed != numberText.Length) return default;
        return Name(number, scale);
    }

    /// <summary>
    /// Takes the current JSON number as a level: its name on <paramref name="scale"/>, copied to
    /// <paramref name="slot"/> of <paramref name="scratch"/>, or else the number's text as sent.
    /// False when the text is longer than <paramref name="limit"/>.
    /// </summary>
    public static bool TryCapture(ref Utf8JsonReader reader, LevelScale scale, ref JsonScratch scratch, int slot, int limit, out JsonValue level)
    {
        var raw = reader.ValueSpan; // numbers have no escapes
        var name = Name(raw, scale);
        if (!name.IsEmpty)
        {
            name.CopyTo(scratch.Array.AsSpan(slot));
            level = new JsonValue(slot, name.Length, inScratch: true);
            return true;
        }
        level = new JsonValue((int)reader.TokenStartIndex, raw.Length, inScratch: false);
        return raw.Length <= limit;
    }

    // RFC 5424 §6.2.1 severities, folded into this project's level names (one table: SyslogSeverity).
    private static ReadOnlySpan<byte> Syslog(long number) => SyslogSeverity.LevelName(number);

    // pino's default levels (pino docs, "levels"), which are bunyan's.
    private static ReadOnlySpan<byte> Pino(long number) => number switch
    {
        10 => "trace"u8,
        20 => "debug"u8,
        30 => "info"u8,
        40 => "warn"u8,
        50 => "error"u8,
        60 => "fatal"u8,
        _ => default,
    };

    // OpenTelemetry logs data model, SeverityNumber: TRACE 1–4, DEBUG 5–8, INFO 9–12, WARN 13–16, ERROR 17–20, FATAL 21–24.
    private static ReadOnlySpan<byte> OtelSeverity(long number) => number switch
    {
        >= 1 and <= 4 => "trace"u8,
        >= 5 and <= 8 => "debug"u8,
        >= 9 and <= 12 => "info"u8,
        >= 13 and <= 16 => "warn"u8,
        >= 17 and <= 20 => "error"u8,
        >= 21 and <= 24 => "fatal"u8,
        _ => default,
    };
}
