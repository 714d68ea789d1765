namespace Ingestd.Parsing.Dialects.Levels;

/// <summary>
/// Syslog severities (RFC 5424 §6.2.1: 0 emergency … 7 debug), as GELF's <c>level</c> and the
/// journal's <c>PRIORITY</c> carry them, mapped onto the stored level names.
/// </summary>
internal static class SyslogSeverity
{
    /// <summary>0–2 (emergency, alert, critical) fatal, 3 error, 4 warn, 5–6 (notice, informational) info, 7 debug; empty otherwise.</summary>
    public static ReadOnlySpan<byte> LevelName(long severity) => severity switch
    {
        >= 0 and <= 2 => "fatal"u8,
        3 => "error"u8,
        4 => "warn"u8,
        5 or 6 => "info"u8,
        7 => "debug"u8,
        _ => default,
    };
}
