using Ingestd.Selection;
using Ingestd.Storage;
using Ingestd.Storage.Index;

namespace Ingestd.Query;

/// <summary>
/// The one place that decides whether a query must read a block, from its verified header and where it lies; a block
/// turned down is never decompressed. A closed segment's index (tenant/service/level/stream sets, dialect and kind per
/// block) answers when it is valid; otherwise the block's event-time range. One instance per query (not thread-safe).
/// </summary>
internal sealed class CandidateBlocks(RecordCriteria criteria)
{
    private readonly SegmentBlockFilter _filter = new(BlockQuery.Of(criteria.SinceNs, criteria.UntilNs,
        criteria.Tenants, criteria.Services, criteria.Levels, criteria.Streams, criteria.Dialects, criteria.Kinds));

    public bool MayHold(string segmentPath, long blockOffset, in BlockHeader header)
        => _filter.MayHold(segmentPath, blockOffset, header);
}
