namespace Ingestd.Parsing.Dialects.Guardian;

/// <summary>How a Guardian <c>POST /api/ingest</c> body is framed, chosen from its Content-Type (seed 002).</summary>
internal enum GuardianFormat : byte
{
    /// <summary><c>application/json</c>: one event object, or an array of event objects.</summary>
    Json,

    /// <summary><c>application/x-ndjson</c>, <c>application/jsonl</c> and aliases: one event object per line.</summary>
    Ndjson,

    /// <summary><c>text/plain</c>: one event per line of UTF-8 text.</summary>
    Text,

    /// <summary><c>application/octet-stream</c> or no Content-Type: NDJSON when every line is an object, else text.</summary>
    Auto,
}
