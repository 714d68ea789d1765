namespace Ingestd.Query;

/// <summary>How a scan ended: how many records it gave, where the next page starts (null: nothing more), and which cap cut it short.</summary>
internal readonly record struct QueryOutcome(int Count, QueryCursor? Next, string? Truncated, long BytesScanned, long RecordsScanned);
