
namespace Ingestd.Parsing.Dialects.Levels;

/// <summary>Which numbering a numeric level is read in; chosen by the field it came in (see <see cref="LevelNumbers"/>).</summary>
internal enum LevelScale
{
    /// <summary>Syslog severity 0–7 (RFC 5424 §6.2.1), also GELF's <c>level</c>: a <c>severity</c> member.</summary>
    Syslog,

    /// <summary>pino and bunyan: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.</summary>
    Pino,

    /// <summary>
    /// A JSON log's <c>level</c> member, where GELF and syslog-shaped JSON send 0–7 and pino and bunyan
    /// 10–60: the two ranges do not overlap, so 0–7 is syslog and the rest pino.
    /// </summary>
    SyslogOrPino,

    /// <summary>OpenTelemetry SeverityNumber 1–24 (logs data model, in ranges of four).</summary>
    OtelSeverity,
}
