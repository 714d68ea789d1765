using Ingestd.Parsing.Records;

namespace Ingestd.Query;

/// <summary>Takes the records a query found, in answer order.</summary>
internal interface IRecordSink
{
    /// <summary>Takes one record; false when the answer is full (<c>limits.query_max_bytes</c>) and the scan must stop after it.</summary>
    bool Add(long sequence, in RecordView view);
}
