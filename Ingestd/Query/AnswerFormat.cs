namespace Ingestd.Query;

/// <summary>How a page of records is written.</summary>
internal enum AnswerFormat
{
    /// <summary>One record per line, as <c>ingestd read</c> prints them (the default).</summary>
    Ndjson,
    /// <summary><c>{"records":[…],"next_cursor":…}</c> (<c>Accept: application/json</c>).</summary>
    Json,
    /// <summary>Air's view: <c>{"data":{"entries":[entry as sent…],"next_cursor":…}}</c>.</summary>
    AirEntries,
}
