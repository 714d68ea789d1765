namespace Ingestd.Parsing.Records;

/// <summary>Which ingest API a record arrived through. Stored as one byte; values never change meaning.</summary>
internal enum Dialect : byte
{
    Unknown = 0,
    Astralog = 1,
    Streams = 2,
    Guardian = 3,
    Operyn = 4,
    Air = 5,
    Elastic = 6,
    Loki = 7,
    Otlp = 8,
    Splunk = 9,
    Gelf = 10,
    Journal = 11,
}

/// <summary>What a record is. Stored as one byte; values never change meaning.</summary>
internal enum RecordKind : byte
{
    Log = 0,
    Event = 1,
    Metric = 2,
    Deployment = 3,
    Message = 4,
    Trace = 5,
}

internal static class RecordNames
{
    public static string Of(Dialect d) => d switch
    {
        Dialect.Astralog => "astralog",
        Dialect.Streams => "streams",
        Dialect.Guardian => "guardian",
        Dialect.Operyn => "operyn",
        Dialect.Air => "air",
        Dialect.Elastic => "elastic",
        Dialect.Loki => "loki",
        Dialect.Otlp => "otlp",
        Dialect.Splunk => "splunk",
        Dialect.Gelf => "gelf",
        Dialect.Journal => "journal",
        _ => "unknown",
    };

    public static string Of(RecordKind k) => k switch
    {
        RecordKind.Log => "log",
        RecordKind.Event => "event",
        RecordKind.Metric => "metric",
        RecordKind.Deployment => "deployment",
        RecordKind.Message => "message",
        RecordKind.Trace => "trace",
        _ => "unknown",
    };
}
