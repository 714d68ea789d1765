using Ingestd.Selection;
using Ingestd.Storage;

namespace Ingestd.Query;

/// <summary>
/// The one place that decides whether a query must read a block, from its verified header and where it lies; a block
/// turned down is never decompressed. Today: the block's event-time range against the query's. A per-segment index
/// (tenant/service/level sets per block) plugs in here, and nowhere else.
/// </summary>
internal sealed class CandidateBlocks(RecordCriteria criteria)
{
    public bool MayHold(string segmentPath, long blockOffset, in BlockHeader header)
        => criteria.TimeOverlaps(header.MinEventNs, header.MaxEventNs);
}
