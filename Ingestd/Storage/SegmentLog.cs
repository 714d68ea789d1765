using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// The append side of the segment files: one active segment taking whole blocks, rotation by size and age,
/// retention by total size, and recovery of a torn tail at open. Used by one thread only (the writer thread).
/// </summary>
internal sealed class SegmentLog : IDisposable
{
    private readonly SegmentLogOptions _options;
    private readonly Action<string> _log;
    private readonly Func<long> _nowNs;
    private readonly long _maxAgeNs;
    private readonly BlockCodec _codec;
    // Older segments with their sizes, oldest first; retention deletes from the front.
    private readonly List<(string Path, long Bytes)> _closed = [];
    private long _closedBytes;

    private SafeFileHandle _active = null!;
    private string _activePath = "";
    private long _activeLength;
    private long _writebackFrom; // start of the appended bytes whose writeback has not been started yet
    private long _activeCreatedNs;
    private bool _directorySyncPending;
    private bool _dirty;

    private SegmentLog(SegmentLogOptions options, Action<string> log, Func<long> nowNs)
    {
        _options = options;
        _log = log;
        _nowNs = nowNs;
        _maxAgeNs = options.SegmentMaxAge <= TimeSpan.Zero ? long.MaxValue : options.SegmentMaxAge.Ticks * 100;
        _codec = new BlockCodec(options.CompressionLevel);
    }

    /// <summary>The sequence number the next appended record gets.</summary>
    public long NextSequence { get; private set; }

    public string ActivePath => _activePath;

    /// <summary>Segment files on disk, the active one included.</summary>
    public int SegmentCount => _closed.Count + 1;

    /// <summary>Bytes of all segment files, the active one included.</summary>
    public long BytesOnDisk => _closedBytes + _activeLength;

    /// <summary>What recovery truncated at open; null when the last segment was clean.</summary>
    public SegmentRecovery? Recovery { get; private set; }

    /// <summary>
    /// Opens (or creates) the log in <c>options.Directory</c>. Only the last segment is scanned: a torn or corrupt
    /// tail is truncated at the start of the first bad block and reported; nothing before it is touched.
    /// </summary>
    /// <param name="nowNs">Clock in Unix nanoseconds, for segment age (tests inject one).</param>
    public static SegmentLog Open(SegmentLogOptions options, Action<string> log, Func<long>? nowNs = null)
    {
        var segmentLog = new SegmentLog(options, log, nowNs ?? SegmentFormat.NowNs);
        try
        {
            segmentLog.OpenCore();
        }
        catch
        {
            segmentLog.Dispose();
            throw;
        }
        return segmentLog;
    }

    private void OpenCore()
    {
        Directory.CreateDirectory(_options.Directory);
        var segments = SegmentFormat.ListSegments(_options.Directory);
        if (segments.Count == 0)
        {
            CreateSegment(0);
            return;
        }

        for (int i = 0; i < segments.Count - 1; i++)
        {
            long bytes = new FileInfo(segments[i]).Length;
            _closed.Add((segments[i], bytes));
            _closedBytes += bytes;
        }

        string last = segments[^1];
        SegmentFormat.TryParseFileName(Path.GetFileName(last), out long nameSequence);
        _active = File.OpenHandle(last, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        _activePath = last;
        RecoverActive(nameSequence);
        ApplyRetention();
    }

    /// <summary>Scans the active segment block by block and cuts it at the first bad block.</summary>
    private void RecoverActive(long nameSequence)
    {
        long length = RandomAccess.GetLength(_active);
        if (!SegmentFormat.TryReadFileHeader(_active, out long createdNs, out long firstSequence, out string? error))
        {
            // Without a header nothing in the file can be trusted; the name still carries its first sequence.
            _activeCreatedNs = _nowNs();
            Span<byte> header = stackalloc byte[SegmentFormat.FileHeaderSize];
            SegmentFormat.WriteFileHeader(header, _activeCreatedNs, nameSequence);
            RandomAccess.SetLength(_active, 0);
            RandomAccess.Write(_active, header, 0);
            RandomAccess.FlushToDisk(_active);
            _activeLength = _writebackFrom = SegmentFormat.FileHeaderSize;
            NextSequence = nameSequence;
            Report(0, length, error!);
            return;
        }

        _activeCreatedNs = createdNs;
        long offset = SegmentFormat.FileHeaderSize;
        long next = firstSequence;
        using (var reader = new BlockReader(_codec))
        {
            while (offset < length)
            {
                var status = reader.Read(_active, offset, length, out var block, out _);
                if (status == BlockStatus.Ok && block.FirstSequence != next) status = BlockStatus.SequenceGap;
                if (status != BlockStatus.Ok)
                {
                    RandomAccess.SetLength(_active, offset);
                    RandomAccess.FlushToDisk(_active);
                    Report(offset, length - offset, BlockCodec.Describe(status));
                    break;
                }
                next = block.NextSequence;
                offset += block.TotalLength;
            }
        }
        _activeLength = _writebackFrom = offset;
        NextSequence = next;
    }

    private void Report(long offset, long bytes, string reason)
    {
        Recovery = new SegmentRecovery(_activePath, offset, bytes, reason);
        _log($"recovered {_activePath}: truncated {bytes} bytes at offset {offset} ({reason})");
    }

    /// <summary>
    /// Appends <paramref name="count"/> records (laid out by RecordLayout) as one block, numbered from
    /// <see cref="NextSequence"/>. Rotates first when the active segment is full or too old. The block is
    /// written with one positional write; call <see cref="Sync"/> to make it survive power loss.
    /// </summary>
    public void Append(ReadOnlySpan<byte> records, int count, long minEventNs, long maxEventNs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return;
        if (ShouldRotate()) Rotate();

        var block = _codec.Encode(records, count, NextSequence, minEventNs, maxEventNs);
        RandomAccess.Write(_active, block, _activeLength);
        _activeLength += block.Length;
        NextSequence += count;
        _dirty = true;
        if (_activeLength - _writebackFrom >= WritebackHint.Interval)
        {
            WritebackHint.Start(_active, _writebackFrom, _activeLength - _writebackFrom);
            _writebackFrom = _activeLength;
        }
    }

    /// <summary>fsyncs the active segment, and the directory when a segment was created since the last Sync.</summary>
    public void Sync()
    {
        if (_dirty)
        {
            RandomAccess.FlushToDisk(_active);
            _dirty = false;
        }
        if (_directorySyncPending)
        {
            DirectorySync.Fsync(_options.Directory);
            _directorySyncPending = false;
        }
    }

    // An empty segment is never rotated: its successor would get the same first sequence, hence the same name.
    private bool ShouldRotate()
        => _activeLength > SegmentFormat.FileHeaderSize
           && (_activeLength >= _options.SegmentMaxBytes || _nowNs() - _activeCreatedNs >= _maxAgeNs);

    private void Rotate()
    {
        // The closed segment's blocks must be durable before a Sync that only covers the new file can acknowledge anything.
        if (_dirty) RandomAccess.FlushToDisk(_active);
        _dirty = false;
        _active.Dispose();
        _closed.Add((_activePath, _activeLength));
        _closedBytes += _activeLength;
        CreateSegment(NextSequence);
        ApplyRetention();
    }

    private void CreateSegment(long firstSequence)
    {
        string path = Path.Combine(_options.Directory, SegmentFormat.FileName(firstSequence));
        _active = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        _activePath = path;
        _activeCreatedNs = _nowNs();
        Span<byte> header = stackalloc byte[SegmentFormat.FileHeaderSize];
        SegmentFormat.WriteFileHeader(header, _activeCreatedNs, firstSequence);
        RandomAccess.Write(_active, header, 0);
        _activeLength = _writebackFrom = SegmentFormat.FileHeaderSize;
        NextSequence = firstSequence;
        _dirty = true;
        _directorySyncPending = true;
    }

    private void ApplyRetention()
    {
        if (_options.RetentionMaxBytes <= 0) return;
        while (_closed.Count > 0 && _closedBytes + _activeLength > _options.RetentionMaxBytes)
        {
            var (path, bytes) = _closed[0];
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log($"retention: could not delete {path}: {e.Message}");
                return;
            }
            _closed.RemoveAt(0);
            _closedBytes -= bytes;
            _log($"retention: deleted {path} ({bytes} bytes)");
        }
    }

    public void Dispose()
    {
        _active?.Dispose();
        _codec.Dispose();
    }
}
