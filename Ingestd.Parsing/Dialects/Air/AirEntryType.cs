namespace Ingestd.Parsing.Dialects.Air;

/// <summary>The <c>{type}</c> of <c>POST /v1/ingest/{type}</c> (seed 004); each has its own entry schema.</summary>
internal enum AirEntryType : byte
{
    Messages,
    Events,
    Logs,
    Metrics,
    Traces,
}
