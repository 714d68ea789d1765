using Ingestd.Parsing.Records;

namespace Ingestd.Query;

/// <summary>Takes the records a query found, in answer order.</summary>
internal interface IRecordSink
{
    /// <summary>Takes one record; false when the answer is full (<see cref="Cap"/>) and the scan must stop after it.</summary>
    bool Add(long sequence, in RecordView view);

    /// <summary>The cap a false <see cref="Add"/> stands for, as the answer's <c>truncated</c> names it.</summary>
    string Cap => "max_bytes";
}
