namespace Ingestd.Storage;

/// <summary>
/// An fsync of a segment failed. Unlike a failed write, it says nothing about which bytes reached the disk: everything
/// written to that file since its last good fsync has to be taken as lost (the log has already given the file up).
/// </summary>
internal sealed class SegmentSyncException(Exception inner) : IOException(inner.Message, inner)
{
    /// <summary>What the fsync reported: disk full (some file systems allocate at writeback), read-only, or an I/O error.</summary>
    public StorageErrorKind Kind { get; } = StorageErrors.Classify(inner) is StorageErrorKind.DiskFull ? StorageErrorKind.DiskFull : StorageErrorKind.Fsync;
}
