using System.Runtime.InteropServices;

namespace Ingestd.Storage;

/// <summary>
/// fsync of a directory, so that a newly created segment file's name survives power loss
/// (fsync of the file alone does not persist its directory entry on Linux; see fsync(2)).
/// .NET cannot open a directory as a file handle, hence the libc calls. No-op on Windows.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY is 0 everywhere; O_DIRECTORY differs between architectures, and opening a directory
    // read-only is allowed without it.
    private const int O_RDONLY = 0;

    public static void Fsync(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Open(directory, O_RDONLY);
        if (fd < 0) throw new IOException($"open({directory}) for fsync failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (FsyncFd(fd) != 0) throw new IOException($"fsync({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncFd(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
