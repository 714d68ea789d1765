using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// The file operations the segment log performs, and nothing else: the seam where tests inject disk faults
/// (ENOSPC, partial writes, EIO on fsync). Cold enough to be an interface: one call per block, not per event.
/// </summary>
internal interface ISegmentFiles
{
    /// <summary>Creates (or truncates) a segment file for writing.</summary>
    SafeFileHandle Create(string path);

    SafeFileHandle OpenExisting(string path);

    /// <summary>Writes all of <paramref name="bytes"/> at <paramref name="offset"/>; on failure some prefix may have landed.</summary>
    void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset);

    /// <summary>fsync(2).</summary>
    void Flush(SafeFileHandle file);

    void SetLength(SafeFileHandle file, long length);

    void Delete(string path);

    /// <summary>fsync of the directory, so new names survive power loss.</summary>
    void FlushDirectory(string directory);
}
