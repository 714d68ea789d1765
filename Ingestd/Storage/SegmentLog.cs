using Ingestd.Diagnostics;
using Ingestd.Storage.Index;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using Ingestd.Parsing.Time;

namespace Ingestd.Storage;

/// <summary>
/// The append side of the segment files: one active segment taking whole blocks, rotation by size and age,
/// retention by total size, and recovery of the newest segment at open. Used by one thread only (the writer thread).
/// </summary>
/// <remarks>
/// Every state change happens only after the file operation behind it succeeded, so a failed write, a failed
/// segment creation or a failed fsync leaves the log as it was and the next call simply tries again:
/// <list type="bullet">
/// <item>a block write that fails is cut off again (ftruncate to the last good block) before anything else is written;</item>
/// <item>a new segment is created and given its header before the old one is closed; if that fails, the old one stays active;</item>
/// <item>after a failed fsync the file's state is unknown (Linux may already have marked the failed pages clean, as
/// PostgreSQL learned): it is closed and the next block starts a new segment.</item>
/// <item>under write and memory durability a closed segment is fsynced and closed by <see cref="BackgroundFlusher"/>;
/// its failure is thrown by the next <see cref="Append"/> or <see cref="Sync"/>, as an inline one would have been.</item>
/// </list>
/// </remarks>
internal sealed class SegmentLog : IDisposable
{
    private readonly SegmentLogOptions _options;
    private readonly Action<string> _log;
    private readonly Func<long> _nowNs;
    private readonly long _maxAgeNs;
    private readonly BlockCodec _codec;
    private readonly ISegmentFiles _files;
    private readonly BackgroundFlusher _flusher;
    // Older segments with their sizes, oldest first; retention deletes from the front.
    private readonly List<(string Path, long Bytes)> _closed = [];
    private long _closedBytes;
    private SequenceHighWaterMark _highWaterMark = null!;
    private bool _raiseQueued; // a raise of the high-water mark is queued on the flusher (or failed there)

    // Null while no segment could be created (disk full at start): the next append creates one.
    private SafeFileHandle? _active;
    private string _activePath = "";
    private long _activeLength;     // end of the last block written in full
    private long _syncedLength;     // bytes of the active file covered by the last successful fsync
    private long _writebackFrom;    // start of the appended bytes whose writeback has not been started yet
    private long _activeCreatedNs;
    private bool _directorySyncPending;
    private bool _dirty;
    private bool _tailUnclean;      // a failed write may have left bytes past _activeLength
    private bool _mustRotate;       // the active file's state is unknown (failed fsync) or numbering jumped
    private bool _activeUnsure;     // an fsync of the active file failed: its pages' state is unknown, so it gets no index

    // The block index of the active segment, collected as blocks are appended; null when the segment's blocks were not all
    // seen here (it was reopened at start, or cut back after a failed fsync): it is then rebuilt by reading it at close.
    private SegmentIndexBuilder? _activeIndex;
    private readonly IndexWorker? _indexer;

    private SegmentLog(SegmentLogOptions options, Action<string> log, Func<long> nowNs, ISegmentFiles files)
    {
        _options = options;
        _log = log;
        _nowNs = nowNs;
        _files = files;
        _maxAgeNs = options.SegmentMaxAge <= TimeSpan.Zero ? long.MaxValue : options.SegmentMaxAge.Ticks * 100;
        _codec = new BlockCodec(options.CompressionLevel);
        if (options.WriteIndexes) _indexer = new IndexWorker(log);
        _flusher = new BackgroundFlusher(files, log);
    }

    /// <summary>
    /// Waits until the index files queued so far (closed segments, start-up rebuilds) are written, for at most
    /// <paramref name="timeout"/>. Tests and benchmarks only: nothing in the daemon waits for an index.
    /// </summary>
    public bool WaitForIndexes(TimeSpan timeout) => _indexer?.WaitIdle(timeout) ?? true;

    /// <summary>
    /// Waits until the background flusher has done every job queued so far (closed segments fsynced, hints issued), for
    /// at most <paramref name="timeout"/>. Tests only: the writer waits for it in <see cref="Sync"/> and nowhere else.
    /// </summary>
    public bool WaitForBackgroundFlushes(TimeSpan timeout) => _flusher.WaitIdle(timeout);

    /// <summary>The sequence number the next appended record gets.</summary>
    public long NextSequence { get; private set; }

    public string ActivePath => _activePath;

    /// <summary>Segment files on disk, the active one included.</summary>
    public int SegmentCount => _closed.Count + (_active is null ? 0 : 1);

    /// <summary>Bytes of all segment files, the active one included.</summary>
    public long BytesOnDisk => _closedBytes + (_active is null ? 0 : _activeLength);

    /// <summary>What recovery found in the newest segment at open; null when it was clean.</summary>
    public SegmentRecovery? Recovery { get; private set; }

    /// <summary>
    /// The lowest sequence number whose record recovery could not vouch for (see <see cref="SegmentRecovery"/>);
    /// <see cref="long.MaxValue"/> when the newest segment was clean.
    /// </summary>
    public long FirstUnsafeSequence => Recovery?.FirstUnsafeSequence ?? long.MaxValue;

    /// <summary>
    /// Opens (or creates) the log in <c>options.Directory</c>. Only the newest segment is scanned (see FORMAT.md,
    /// "Recovery at start"): bad blocks whose length can be trusted are skipped, a bad region is skipped up to the next
    /// block that verifies, and only an unreadable tail is cut. Nothing else is touched.
    /// </summary>
    /// <param name="nowNs">Clock in Unix nanoseconds, for segment age (tests inject one).</param>
    /// <param name="files">The file operations (tests inject faults); the real file system by default.</param>
    public static SegmentLog Open(SegmentLogOptions options, Action<string> log, Func<long>? nowNs = null, ISegmentFiles? files = null)
    {
        var segmentLog = new SegmentLog(options, log, nowNs ?? UnixClock.NowNs, files ?? SystemSegmentFiles.Instance);
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
        _highWaterMark = SequenceHighWaterMark.Open(_options.Directory, _files);
        var segments = SegmentFormat.ListSegments(_options.Directory);
        if (_indexer is not null)
        {
            // Closed segments without an index (a crash between rotation and the index write, or written by an older
            // version) get one in the background; the newest segment's is rebuilt when it closes.
            foreach (var missing in SegmentIndexFile.Tidy(_options.Directory, segments, segments.Count > 0 ? segments[^1] : null, _log))
                _indexer.Rebuild(missing);
        }
        if (segments.Count == 0)
        {
            // Segments deleted by hand still leave their numbers used: continue past the recorded bound.
            NextSequence = _highWaterMark.Bound;
            TryCreateFirstSegment();
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
        _active = _files.OpenExisting(last);
        _activePath = last;
        RecoverActive(nameSequence);
        ApplyRetention();
    }

    private void TryCreateFirstSegment()
    {
        try
        {
            Rotate();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Disk full or read-only at start: serve anyway (writes fail with a storage error) and create it later.
            _log($"could not create the first segment in {_options.Directory}: {e.Message}; retrying with the next write");
        }
    }

    /// <summary>Scans the active segment block by block; see FORMAT.md, "Recovery at start".</summary>
    private void RecoverActive(long nameSequence)
    {
        var findings = new List<RecoveryFinding>();
        long length = RandomAccess.GetLength(_active!);
        long firstUnsafe = long.MaxValue;
        bool cutUnreadableTail = false;

        if (SegmentFormat.TryReadFileHeader(_active!, out long createdNs, out _, out string? error))
        {
            _activeCreatedNs = createdNs;
        }
        else
        {
            // Blocks carry their own sequence numbers and checksums, and the name carries the first one: only the
            // header is lost. Write it again so that readers and the next recovery find a good one.
            _activeCreatedNs = _nowNs();
            Span<byte> header = stackalloc byte[SegmentFormat.FileHeaderSize];
            SegmentFormat.WriteFileHeader(header, _activeCreatedNs, nameSequence);
            if (length < SegmentFormat.FileHeaderSize) _files.SetLength(_active!, 0);
            _files.Write(_active!, header, 0);
            _files.Flush(_active!);
            findings.Add(new RecoveryFinding(RecoveryAction.HeaderRewritten, 0, SegmentFormat.FileHeaderSize, error!));
            length = Math.Max(length, SegmentFormat.FileHeaderSize);
        }

        long offset = SegmentFormat.FileHeaderSize;
        long next = nameSequence;
        using (var reader = new BlockReader(_codec))
        {
            while (offset < length)
            {
                var status = reader.Read(_active!, offset, length, out var block, out _);
                if (status == BlockStatus.Ok && block.FirstSequence < next) status = BlockStatus.SequenceGap;
                if (status == BlockStatus.Ok)
                {
                    next = block.NextSequence;
                    offset += block.TotalLength;
                    continue;
                }
                string reason = BlockCodec.Describe(status);
                if (BlockReader.CanSkip(status))
                {
                    // The header's checksum holds, so its length and numbers can be trusted: skip just this block and
                    // never hand its numbers out again.
                    findings.Add(new RecoveryFinding(RecoveryAction.Skipped, offset, block.TotalLength, reason));
                    firstUnsafe = Math.Min(firstUnsafe, Math.Min(next, block.FirstSequence));
                    next = Math.Max(next, block.NextSequence);
                    offset += block.TotalLength;
                    continue;
                }
                if (status is not (BlockStatus.TruncatedHeader or BlockStatus.TruncatedPayload))
                {
                    long resync = reader.FindNextBlock(_active!, offset, length);
                    if (resync > offset)
                    {
                        findings.Add(new RecoveryFinding(RecoveryAction.Skipped, offset, resync - offset, reason));
                        firstUnsafe = Math.Min(firstUnsafe, next);
                        offset = resync;
                        continue;
                    }
                    // Bytes that were never a whole block and bytes of a damaged, complete block look alike here.
                    cutUnreadableTail = true;
                }
                // The file ends inside the last block, or nothing after this point verifies: cut it off.
                _files.SetLength(_active!, offset);
                _files.Flush(_active!);
                findings.Add(new RecoveryFinding(RecoveryAction.Truncated, offset, length - offset, reason));
                firstUnsafe = Math.Min(firstUnsafe, next);
                length = offset;
                break;
            }
        }

        _activeLength = _writebackFrom = _syncedLength = offset;
        NextSequence = next;
        if (cutUnreadableTail && _highWaterMark.Bound > next)
        {
            // The cut bytes may have held acknowledged records with numbers up to the bound: go on past it, in a new
            // segment, since numbers inside one segment follow each other without gaps.
            NextSequence = _highWaterMark.Bound;
            _mustRotate = true;
        }
        if (findings.Count > 0)
        {
            Recovery = new SegmentRecovery(_activePath, findings, firstUnsafe);
            foreach (var finding in findings) _log($"recovered {_activePath}: {finding}");
            if (NextSequence != next) _log($"recovered {_activePath}: numbering goes on at {NextSequence} (was {next}) so no sequence number is reused");
        }
    }

    /// <summary>
    /// Appends <paramref name="count"/> records (laid out by RecordLayout) as one block, numbered from
    /// <see cref="NextSequence"/>. Rotates first when the active segment is full or too old, or was given up after a
    /// failed fsync. The block is written with one positional write; call <see cref="Sync"/> to make it survive
    /// power loss. On an exception nothing was appended and the log is unchanged: the call can simply be repeated.
    /// A closed segment's fsync that failed in the background since the last call is thrown here first, as the
    /// <see cref="SegmentSyncException"/> an inline rotation would have thrown.
    /// </summary>
    public void Append(ReadOnlySpan<byte> records, int count, long minEventNs, long maxEventNs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return;
        if (_flusher.Failure is not null && _flusher.TakeFailure() is { } failed) throw new SegmentSyncException(failed);
        if (_active is null || _mustRotate || ShouldRotate()) Rotate();
        if (_tailUnclean)
        {
            _files.SetLength(_active!, _activeLength);
            _tailUnclean = false;
        }
        ReserveSequences(count);

        long t0 = Stopwatch.GetTimestamp();
        long blockOffset = _activeLength, firstSequence = NextSequence;
        var block = _codec.Encode(records, count, NextSequence, minEventNs, maxEventNs);
        long t1 = Stopwatch.GetTimestamp();
        try
        {
            _files.Write(_active!, block, _activeLength);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Part of the block may have landed (ENOSPC after the first pages): cut it off now, or before the next write.
            _tailUnclean = true;
            try
            {
                _files.SetLength(_active!, _activeLength);
                _tailUnclean = false;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
            throw;
        }
        _activeLength += block.Length;
        NextSequence += count;
        _dirty = true;
        // The block's envelope sets for the index: one pass over the record headers, on this thread, nothing allocated.
        if (_activeIndex is not null)
        {
            try
            {
                _activeIndex.AddBlock(blockOffset, new BlockHeader(block.Length - BlockCodec.HeaderSize, records.Length, count, firstSequence,
                    minEventNs, maxEventNs, 0, 0), records);
            }
            catch (Exception e)
            {
                // The block is stored; only its index entry failed. Never fail the append for it: read the segment at close.
                _log($"index: could not collect the block at {blockOffset} of {_activePath} ({e.Message}); its index is rebuilt when it closes");
                _activeIndex = null;
            }
        }
        long t2 = Stopwatch.GetTimestamp();
        if (_activeLength - _writebackFrom >= WritebackHint.Interval)
        {
            // Up to a page boundary: the next append then never rewrites a page the hint put under writeback.
            long end = _activeLength & ~(WritebackHint.PageSize - 1);
            _flusher.Hint(_active!, _writebackFrom, end - _writebackFrom);
            _writebackFrom = end;
        }
        if (LatencyEvents.Log.IsEnabled())
        {
            long t3 = Stopwatch.GetTimestamp();
            LatencyEvents.Log.BlockParts((long)Stopwatch.GetElapsedTime(t0, t1).TotalMicroseconds,
                (long)Stopwatch.GetElapsedTime(t1, t2).TotalMicroseconds, (long)Stopwatch.GetElapsedTime(t2, t3).TotalMicroseconds);
        }
    }

    /// <summary>
    /// fsyncs the active segment, and the directory when a segment was created since the last Sync. When the file's
    /// fsync fails, the file is given up (see the remarks on the class) and the exception rethrown: nothing written
    /// to it since the last successful Sync may be taken as durable. Closed segments still being fsynced in the
    /// background are waited for first, and a failure of theirs is thrown once the active file is synced.
    /// </summary>
    public void Sync()
    {
        _flusher.WaitForClosedSegments();
        if (_dirty && _active is not null)
        {
            try
            {
                _files.Flush(_active);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                GiveUpActive(e);
                throw new SegmentSyncException(e);
            }
            _dirty = false;
            _syncedLength = _activeLength;
        }
        if (_directorySyncPending)
        {
            // Safe to retry: a directory's fsync covers its current entries, whatever failed before.
            try
            {
                _files.FlushDirectory(_options.Directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SegmentSyncException(e);
            }
            _directorySyncPending = false;
        }
        if (_flusher.TakeFailure() is { } failed) throw new SegmentSyncException(failed);
    }

    /// <summary>
    /// After a failed fsync: with <see cref="SegmentLogOptions.DiscardUnsyncedAfterFsyncFailure"/> (fsync durability, so
    /// nothing past the last good fsync was acknowledged), cut those bytes off so a retried request is not stored
    /// twice; then close the file. The next block goes to a new segment, numbered on (numbers are never reused).
    /// </summary>
    private void GiveUpActive(Exception e)
    {
        var active = _active!;
        long keep = _options.DiscardUnsyncedAfterFsyncFailure ? Math.Max(_syncedLength, SegmentFormat.FileHeaderSize) : _activeLength;
        _log($"fsync of {_activePath} failed ({e.Message}): closing it, the next block starts a new segment"
             + (keep < _activeLength ? $"; {_activeLength - keep} bytes written since the last good fsync are discarded" : ""));
        _activeUnsure = true;
        if (keep < _activeLength)
        {
            try
            {
                _files.SetLength(active, keep);
                _activeLength = keep;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _log($"could not cut {_activePath} back to {keep} bytes: {ex.Message}");
            }
        }
        _tailUnclean = false;
        _dirty = false;
        _mustRotate = true;
    }

    // An empty segment is never rotated for size or age: its successor would get the same first sequence, hence the same name.
    private bool ShouldRotate()
        => _activeLength > SegmentFormat.FileHeaderSize
           && (_activeLength >= _options.SegmentMaxBytes || _nowNs() - _activeCreatedNs >= _maxAgeNs);

    /// <summary>
    /// Starts a new segment at <see cref="NextSequence"/>. The new file is created and its header written first;
    /// only then is the old one fsynced, closed and counted as closed. If anything before that fails, the old
    /// segment stays active and nothing changed.
    /// </summary>
    private void Rotate()
    {
        string path = Path.Combine(_options.Directory, SegmentFormat.FileName(NextSequence));
        if (_active is not null && path == _activePath)
        {
            // Only an empty segment has the name its successor would get (a given-up one after a failed fsync):
            // replace it rather than write into a file whose state is unknown.
            _active.Dispose();
            _active = null;
            _files.Delete(_activePath);
        }

        var created = CreateSegmentFile(path, NextSequence, out long createdNs);
        if (_active is not null)
        {
            // The closed segment's blocks must be durable before a Sync that only covers the new file acknowledges them
            // (Sync waits for the flusher); with no acknowledgement waiting for an fsync, that happens off the writer thread.
            if (_options.SyncClosedSegmentsInBackground && _dirty)
            {
                HandActiveToFlusher();
                Install(created, path, createdNs);
                ApplyRetention();
                return;
            }
            if (_dirty)
            {
                try
                {
                    _files.Flush(_active);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Like a failed Sync: the caller fails everything since the last good one. The new file stays.
                    GiveUpActive(e);
                    CloseActive();
                    Install(created, path, createdNs);
                    throw new SegmentSyncException(e);
                }
            }
            CloseActive();
        }
        Install(created, path, createdNs);
        ApplyRetention();
    }

    private void CloseActive()
    {
        _active!.Dispose();
        if (_indexer is not null && !_activeUnsure)
        {
            if (_activeIndex is not null) _indexer.WriteBuilt(_activePath, _activeIndex, _activeLength);
            else _indexer.Rebuild(_activePath);
        }
        ForgetActive();
    }

    // Background: the flusher fsyncs and closes the file, and queues its index only once the fsync succeeded, as
    // CloseActive gives no index to a file whose fsync failed.
    private void HandActiveToFlusher()
    {
        Action? index = null;
        if (_indexer is not null && !_activeUnsure)
        {
            var indexer = _indexer;
            var built = _activeIndex;
            string closedPath = _activePath;
            long length = _activeLength;
            index = built is not null ? () => indexer.WriteBuilt(closedPath, built, length) : () => indexer.Rebuild(closedPath);
        }
        _flusher.SyncAndClose(_active!, _activePath, index);
        ForgetActive();
    }

    private void ForgetActive()
    {
        _activeIndex = null;
        _closed.Add((_activePath, _activeLength));
        _closedBytes += _activeLength;
        _active = null;
    }

    private void Install(SafeFileHandle handle, string path, long createdNs)
    {
        _active = handle;
        _activePath = path;
        _activeCreatedNs = createdNs;
        _activeLength = _writebackFrom = SegmentFormat.FileHeaderSize;
        _syncedLength = 0;
        _dirty = true;
        _directorySyncPending = true;
        _tailUnclean = false;
        _mustRotate = false;
        _activeUnsure = false;
        if (_indexer is not null && SegmentFormat.TryParseFileName(Path.GetFileName(path), out long first))
            _activeIndex = new SegmentIndexBuilder(first, createdNs);
    }

    // Creates the file with its header; on failure removes what was created and throws.
    private SafeFileHandle CreateSegmentFile(string path, long firstSequence, out long createdNs)
    {
        createdNs = _nowNs();
        // Create truncates: the only file that can have this name is what an earlier failed attempt left.
        var handle = _files.Create(path);
        try
        {
            Span<byte> header = stackalloc byte[SegmentFormat.FileHeaderSize];
            SegmentFormat.WriteFileHeader(header, createdNs, firstSequence);
            _files.Write(handle, header, 0);
            return handle;
        }
        catch
        {
            handle.Dispose();
            try { _files.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// The lowest sequence some reader still needs (the outputs' slowest cursor); <see cref="long.MaxValue"/> when none.
    /// Set by the composition root, read on the writer thread at each rotation. Retention here is only ever forced by
    /// <see cref="SegmentLogOptions.RetentionMaxBytes"/>, so a protected segment is still deleted, but reported first
    /// through <see cref="DeletingProtected"/>.
    /// </summary>
    public Func<long> ProtectedFrom { get; set; } = static () => long.MaxValue;

    /// <summary>Called with (path, first sequence, next sequence after it) before a segment holding protected sequences is deleted.</summary>
    public Action<string, long, long>? DeletingProtected { get; set; }

    private void ApplyRetention()
    {
        if (_options.RetentionMaxBytes <= 0) return;
        while (_closed.Count > 0 && BytesOnDisk > _options.RetentionMaxBytes)
        {
            var (path, bytes) = _closed[0];
            // Never delete a file the flusher still has open: let its fsync finish first (only when retention is about one segment).
            if (_flusher.Holds(path)) _flusher.WaitForClosedSegments();
            ReportIfProtected(path);
            try
            {
                _files.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log($"retention: could not delete {path}: {e.Message}");
                return;
            }
            _closed.RemoveAt(0);
            _closedBytes -= bytes;
            _log($"retention: deleted {path} ({bytes} bytes)");
            try
            {
                SegmentIndexFile.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Harmless: an index whose segment is gone is never used, and the next start removes it.
                _log($"retention: could not delete the index of {path}: {e.Message}");
            }
        }
    }

    private void ReportIfProtected(string path)
    {
        if (DeletingProtected is null || !SegmentFormat.TryParseFileName(Path.GetFileName(path), out long first)) return;
        // A closed segment ends where the next one (closed or active) begins.
        string nextPath = _closed.Count > 1 ? _closed[1].Path : _activePath;
        if (!SegmentFormat.TryParseFileName(Path.GetFileName(nextPath), out long end)) return;
        if (end > ProtectedFrom()) DeletingProtected(path, first, end);
    }

    /// <summary>
    /// Makes sure the next <paramref name="count"/> numbers are under the durable high-water mark. Past half of the
    /// reservation the next raise is queued on the flusher, so the writer normally never waits for that fsync; only if
    /// the numbers catch up with the bound first (the flusher stuck behind a slow disk, or its raise failed) is it
    /// raised here, as before.
    /// </summary>
    private void ReserveSequences(int count)
    {
        long needed = NextSequence + count, bound = _highWaterMark.Bound, reservation = _options.SequenceReservation;
        if (needed > bound)
        {
            _highWaterMark.Raise(needed + reservation);
            Volatile.Write(ref _raiseQueued, false);
            return;
        }
        if (needed <= bound - reservation / 2 || Volatile.Read(ref _raiseQueued)) return;
        QueueRaise(bound + reservation);
    }

    // Apart from ReserveSequences so that its closure is allocated only when a raise is queued, not on every append.
    private void QueueRaise(long target)
    {
        Volatile.Write(ref _raiseQueued, true); // before queueing: the job may finish before Run returns
        bool queued = _flusher.Run(() =>
        {
            try
            {
                _highWaterMark.Raise(target);
                Volatile.Write(ref _raiseQueued, false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left queued-and-failed: the writer raises it itself when the numbers reach the bound, and reports
                // that failure as any other; no retry storm from here.
                _log($"raising the sequence high-water mark ahead of need failed ({e.Message}); the writer will raise it when it must");
            }
        });
        if (!queued) Volatile.Write(ref _raiseQueued, false);
    }

    public void Dispose()
    {
        // The flusher first: it queues the index of each segment it fsyncs.
        _flusher.Dispose();
        _indexer?.Dispose();
        _active?.Dispose();
        _highWaterMark?.Dispose();
        _codec.Dispose();
    }
}
