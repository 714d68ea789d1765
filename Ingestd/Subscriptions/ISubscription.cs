using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;

namespace Ingestd.Subscriptions;

/// <summary>What one live subscriber wants from the records every dialect stores, and the shape of its frames.</summary>
internal interface ISubscription
{
    /// <summary>
    /// Whether the subscriber wants this stored record. Called from many connections at once: use
    /// <paramref name="locator"/> (the calling thread's) for anything per record.
    /// </summary>
    bool Wants(in RecordView record, FieldLocator locator);

    FrameShape Shape { get; }
}

/// <summary>How a record becomes an SSE frame.</summary>
internal enum FrameShape
{
    /// <summary>Air's <c>/v1/subscribe</c>: <c>event: message|event</c>, <c>data:</c> the entry as sent.</summary>
    AirEntry,
    /// <summary><c>/v1/tail</c>: <c>event: record</c>, <c>data:</c> the record as <c>ingestd read</c> prints it, without <c>seq</c>.</summary>
    Record,
}
