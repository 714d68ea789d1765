using Ingestd.Storage;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Tests.Storage;

/// <summary>
/// The real file system with faults switched on by the test: the errors the kernel gives (same errno in the
/// exception's HResult as .NET reports them), and a write that lands only in part before failing, as ENOSPC does.
/// </summary>
internal sealed class FaultyFiles : ISegmentFiles
{
    public const int ENOSPC = 28;
    public const int EIO = 5;

    private readonly ISegmentFiles _real = SystemSegmentFiles.Instance;

    /// <summary>Every write fails with ENOSPC (after landing <see cref="PartialBytes"/> bytes, if set).</summary>
    public bool DiskFull { get; set; }

    /// <summary>With <see cref="DiskFull"/>: how many bytes of a failing write land first.</summary>
    public int PartialBytes { get; set; }

    /// <summary>Creating a file fails with ENOSPC (no inode or no block for it).</summary>
    public bool CreateFails { get; set; }

    /// <summary>The next fsync of a file (not a directory) fails, with <see cref="FlushErrno"/>; cleared once it fired.</summary>
    public bool NextFlushFails { get; set; }

    /// <summary>The errno of a failing fsync: EIO by default; ENOSPC where the file system allocates at writeback.</summary>
    public int FlushErrno { get; set; } = EIO;

    /// <summary>Cutting a file back fails too (a failed write's tail then stays until the next try).</summary>
    public bool SetLengthFails { get; set; }

    public int Writes { get; private set; }

    /// <summary>
    /// When set, every fsync of a segment file waits at this gate until the test opens it. Other files (the sequence
    /// high-water mark, fsynced on the writer thread) pass.
    /// </summary>
    public ManualResetEventSlim? FlushGate { get; set; }

    /// <summary>Set once an fsync of a segment file has begun (and is perhaps held at <see cref="FlushGate"/>).</summary>
    public ManualResetEventSlim FlushStarted { get; } = new();

    private int _flushes;

    /// <summary>fsyncs of segment files that completed.</summary>
    public int Flushes => Volatile.Read(ref _flushes);

    // Handles of segment files, so the gate and the count leave the high-water mark's fsyncs alone.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SafeFileHandle, string> _segments = new();

    private readonly List<string> _deletedWhileOpen = [];

    /// <summary>Files deleted while this process still had them open (read from /proc/self/fd at each delete).</summary>
    public IReadOnlyList<string> DeletedWhileOpen
    {
        get { lock (_deletedWhileOpen) return _deletedWhileOpen.ToList(); }
    }

    public SafeFileHandle Create(string path)
    {
        if (CreateFails) throw Error(ENOSPC, path);
        return Track(_real.Create(path), path);
    }

    public SafeFileHandle OpenExisting(string path) => Track(_real.OpenExisting(path), path);

    private SafeFileHandle Track(SafeFileHandle handle, string path)
    {
        if (SegmentFormat.TryParseFileName(Path.GetFileName(path), out _)) _segments[handle] = path;
        return handle;
    }

    public void Write(SafeFileHandle file, ReadOnlySpan<byte> bytes, long offset)
    {
        Writes++;
        if (DiskFull)
        {
            int landed = Math.Min(PartialBytes, bytes.Length);
            if (landed > 0) _real.Write(file, bytes[..landed], offset);
            throw Error(ENOSPC, "segment");
        }
        _real.Write(file, bytes, offset);
    }

    public void Flush(SafeFileHandle file)
    {
        bool segment = _segments.ContainsKey(file);
        if (segment)
        {
            FlushStarted.Set();
            FlushGate?.Wait();
        }
        if (NextFlushFails)
        {
            NextFlushFails = false;
            throw Error(FlushErrno, "segment");
        }
        _real.Flush(file);
        if (segment) Interlocked.Increment(ref _flushes);
    }

    public void SetLength(SafeFileHandle file, long length)
    {
        if (SetLengthFails) throw Error(EIO, "segment");
        _real.SetLength(file, length);
    }

    public void Delete(string path)
    {
        if (OpenFiles.IsOpen(path))
        {
            lock (_deletedWhileOpen) _deletedWhileOpen.Add(path);
        }
        _real.Delete(path);
    }

    public void FlushDirectory(string directory) => _real.FlushDirectory(directory);

    private static IOException Error(int errno, string what)
        => new(errno == ENOSPC ? $"No space left on device : '{what}'" : $"Input/output error : '{what}'", errno);
}

/// <summary>What this process has open, from /proc/self/fd (Linux, where the tests run).</summary>
internal static class OpenFiles
{
    public static bool IsOpen(string path) => Paths().Contains(Path.GetFullPath(path));

    /// <summary>Open files whose path starts with <paramref name="directory"/>.</summary>
    public static List<string> Under(string directory)
    {
        string prefix = Path.GetFullPath(directory).TrimEnd('/') + "/";
        return Paths().Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    private static HashSet<string> Paths()
    {
        var result = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target) result.Add(target);
            }
            catch (IOException) { } // closed meanwhile
        }
        return result;
    }
}
