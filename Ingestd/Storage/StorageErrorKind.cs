
namespace Ingestd.Storage;

/// <summary>Why a segment write or fsync failed; decides the status code and the metric label.</summary>
internal enum StorageErrorKind : byte
{
    /// <summary>ENOSPC, EDQUOT, or no inode left for a new segment: answered 507 until space returns.</summary>
    DiskFull,
    /// <summary>EROFS: the file system was remounted read-only.</summary>
    ReadOnly,
    /// <summary>fsync failed: the file's state is unknown, so it is closed and a new segment started.</summary>
    Fsync,
    /// <summary>Any other I/O error (EIO, EACCES, ...).</summary>
    Io,
}
