using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>The real file system behind <see cref="ISegmentFiles"/>.</summary>
internal sealed class SystemSegmentFiles : ISegmentFiles
{
    public static readonly SystemSegmentFiles Instance = new();

    private SystemSegmentFiles() { }

    public SafeFileHandle Create(string path)
        => File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    public SafeFileHandle OpenExisting(string path)
        => File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset) => RandomAccess.Write(file, bytes, offset);

    public void Flush(SafeFileHandle file) => RandomAccess.FlushToDisk(file);

    public void SetLength(SafeFileHandle file, long length) => RandomAccess.SetLength(file, length);

    public void Delete(string path) => File.Delete(path);

    public void FlushDirectory(string directory) => DirectorySync.Fsync(directory);
}
