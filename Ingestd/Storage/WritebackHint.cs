using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// Starts the kernel's writeback of bytes just appended (sync_file_range with SYNC_FILE_RANGE_WRITE:
/// it queues the I/O and returns without waiting for it, and promises no durability). Without it, dirty
/// pages pile up until the kernel throttles the writer inside write(2) for tens of milliseconds at a
/// time, and every acknowledgement waits behind that stall. A hint only: failures are ignored.
/// </summary>
internal static partial class WritebackHint
{
    private const uint SYNC_FILE_RANGE_WRITE = 2;

    /// <summary>Bytes appended between two hints: big enough to be one efficient I/O, small next to the dirty limits.</summary>
    public const long Interval = 1024 * 1024;

    /// <summary>The page size hints are aligned to (a multiple of the kernel's on every platform this runs on).</summary>
    public const long PageSize = 4096;

    private static bool s_unavailable = !OperatingSystem.IsLinux();

    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (s_unavailable || length <= 0) return;
        try
        {
            _ = SyncFileRange((int)file.DangerousGetHandle(), offset, length, SYNC_FILE_RANGE_WRITE);
        }
        catch (EntryPointNotFoundException)
        {
            s_unavailable = true;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long nbytes, uint flags);
}
