using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// Tells a block still being written from a torn one at the end of a segment, for readers that run beside the daemon.
/// The daemon appends each block with one positional write, but the file grows page by page while it runs (ext4), so
/// a reader can see the first part of a block. Only the newest segment of a directory is written; in it, an incomplete
/// block at the very end is a live tail: waited for briefly, then reported as such, not as corruption (if a crash
/// tore it, the daemon's recovery truncates it at the next start). In an older, closed segment it is corruption.
/// One instance per file being read.
/// </summary>
internal sealed class LiveTail
{
    /// <summary>How often, and how many times in all per file, a reader looks again for the rest of the tail: about 0.5 s.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private const int MaxPolls = 5;

    private readonly string _path;
    private readonly SafeFileHandle _handle;
    private int _pollsLeft = MaxPolls;

    public LiveTail(string path, SafeFileHandle handle)
    {
        _path = path;
        _handle = handle;
    }

    /// <summary>Whether the file was the newest segment of its directory at the last <see cref="Recheck"/>.</summary>
    public bool IsNewest { get; private set; }

    /// <summary>
    /// Called when the file seems to end inside a block (or inside its file header). Returns the file's length as soon as
    /// it differs from <paramref name="length"/>, polling for at most the remaining wait when the file is the newest
    /// segment; for any other file it returns the current length at once. When the length comes back unchanged and
    /// <see cref="IsNewest"/> is true, the tail is a live one.
    /// </summary>
    public long Recheck(long length)
    {
        // Newest first, length second: once a newer segment exists the writer has finished with this file, so a length
        // taken afterwards is final and anything incomplete below it is corruption.
        IsNewest = IsNewestSegment(_path);
        long now = RandomAccess.GetLength(_handle);
        while (IsNewest && now == length && _pollsLeft > 0)
        {
            _pollsLeft--;
            Thread.Sleep(PollInterval);
            now = RandomAccess.GetLength(_handle);
        }
        return now;
    }

    /// <summary>
    /// A reader met <paramref name="status"/> at <paramref name="offset"/>: true when that is a live tail, to be reported
    /// (<see cref="Describe"/>) and not read; false when it is not, or when the file grew meanwhile (then
    /// <paramref name="length"/> holds the new length and the reader simply reads on).
    /// </summary>
    public bool IsLiveTailAt(long offset, ref long length, BlockStatus status)
    {
        if (!IsIncompleteBlock(_handle, offset, length, status)) return false;
        long now = Recheck(length);
        if (now != length)
        {
            length = now;
            return false;
        }
        return IsNewest;
    }

    /// <summary>
    /// Whether the bytes from <paramref name="offset"/> to <paramref name="length"/> can be the first part of a block,
    /// given the <paramref name="status"/> read there: a trusted header whose block ends past the end, or fewer bytes than
    /// a header that begin like one (a block is written front to back, so what is visible of it starts with its magic).
    /// </summary>
    private static bool IsIncompleteBlock(SafeFileHandle handle, long offset, long length, BlockStatus status)
    {
        if (status == BlockStatus.TruncatedPayload) return true;
        if (status != BlockStatus.TruncatedHeader) return false;
        Span<byte> magic = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, BlockCodec.Magic);
        Span<byte> start = stackalloc byte[sizeof(uint)];
        int read = SegmentFormat.ReadFully(handle, start[..(int)Math.Min(start.Length, length - offset)], offset);
        return start[..read].SequenceEqual(magic[..read]);
    }

    /// <summary>What readers print for a live tail of <paramref name="bytes"/> bytes.</summary>
    public static string Describe(long bytes)
        => $"incomplete tail of {bytes} bytes (being written, or torn by a crash: the daemon's recovery truncates it)";

    /// <summary>
    /// Whether <paramref name="path"/> is the newest segment of its directory, the only one the daemon writes. A file not
    /// named like a segment (a copy, say) is nobody's active segment.
    /// </summary>
    public static bool IsNewestSegment(string path)
    {
        string name = Path.GetFileName(path);
        if (!SegmentFormat.TryParseFileName(name, out _)) return false;
        var segments = SegmentFormat.ListSegments(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return segments.Count > 0 && Path.GetFileName(segments[^1]) == name;
    }
}
