using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;
using Ingestd.Selection;

namespace Ingestd.Subscriptions;

/// <summary>A <c>/v1/tail</c> subscriber: the same filter as a query (tenant confinement included), any dialect.</summary>
internal sealed class TailSubscription(RecordFilter filter) : ISubscription
{
    public bool Wants(in RecordView record, FieldLocator locator) => filter.Matches(record, locator);

    public FrameShape Shape => FrameShape.Record;
}
