
namespace Ingestd.Storage;

/// <summary>Where segments live and when they rotate and expire (config section [storage]).</summary>
internal sealed record SegmentLogOptions
{
    public required string Directory { get; init; }

    /// <summary>A segment at or over this size is closed before the next block; blocks are never split.</summary>
    public long SegmentMaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>A segment older than this (by its header's creation time) is closed before the next block.</summary>
    public TimeSpan SegmentMaxAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>After a rotation, the oldest whole segments are deleted while all segments together exceed this; 0 keeps everything.</summary>
    public long RetentionMaxBytes { get; init; }

    /// <summary>
    /// Sequence numbers reserved per raise of the high-water mark (<see cref="SequenceHighWaterMark"/>); the next raise
    /// is queued on the flusher once half of them are used. Tests make it small.
    /// </summary>
    public long SequenceReservation { get; init; } = SequenceHighWaterMark.Step;

    /// <summary>zstd level for block payloads.</summary>
    public int CompressionLevel { get; init; } = 1;

    /// <summary>
    /// True under fsync durability: nothing written after the last good fsync was acknowledged, so after a failed
    /// fsync those bytes are cut off (a client's retry is then not stored twice). Under write durability they were
    /// acknowledged and stay.
    /// </summary>
    public bool DiscardUnsyncedAfterFsyncFailure { get; init; }

    /// <summary>
    /// Write a block index beside each segment when it is closed (FORMAT.md, "Block index"), and rebuild missing ones of
    /// closed segments at open, both in the background. Off only to measure what it costs.
    /// </summary>
    public bool WriteIndexes { get; init; } = true;

    /// <summary>
    /// True under write and memory durability, where no acknowledgement waits for an fsync: a segment rotated out is
    /// fsynced and closed on the <see cref="BackgroundFlusher"/> thread instead of the writer's (see FORMAT.md, *Files*).
    /// Under fsync durability the commit waits for it anyway, and a failure must fail the requests it covered.
    /// </summary>
    public bool SyncClosedSegmentsInBackground { get; init; }
}
