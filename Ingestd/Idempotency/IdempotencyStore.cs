using System.Buffers.Binary;
using Ingestd.Storage;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Idempotency;

/// <summary>
/// Guardian's Idempotency-Key: a request repeating (scope, key) within the window gets the first response back
/// (the caller adds <c>X-Idempotent-Replay: true</c>), and a request racing one in flight is told so.
/// Completed responses are appended to a CRC-checked log (<see cref="IdempotencyLogFormat"/>) and fsynced before
/// they are published, so a replay survives a restart or power loss. A response is completed only after its events
/// are durable, and it records the sequence number below which they lie: at open, records whose events the segment
/// log could not vouch for are dropped, so a replayed 2xx only ever stands for events that are stored.
/// </summary>
/// <remarks>
/// One lock guards everything, including the fsync in <see cref="Complete"/>: only requests carrying an
/// Idempotency-Key come here, and correctness (one reservation per key, log order = publish order) is worth more
/// than parallelism on this path. <c>scope</c> is opaque; callers pass a hash of the API key, never the key itself.
/// </remarks>
internal sealed class IdempotencyStore : IDisposable
{
    private const string TempSuffix = ".tmp";

    private readonly string _path;
    private readonly long _windowMs;
    private readonly long _reservationTimeoutMs;
    private readonly Func<long> _nowUnixMs;
    private readonly Action<string> _log;
    private readonly IdempotencyLimits _limits;
    private readonly long _firstUnsafeSequence;
    private readonly object _gate = new();
    private readonly Dictionary<(string Scope, Guid Key), IdempotencyEntry> _entries = [];
    // Completed entries in log order, oldest first, for expiry and eviction. Entries replaced or removed since
    // stay here until they reach the front and are skipped (see IsCurrent).
    private readonly Queue<IdempotencyEntry> _order = new();

    private SafeFileHandle _file = null!;
    private long _fileLength;
    private long _fileRecords;
    private int _completed;
    private long _completedBytes;
    private bool _disposed;

    private IdempotencyStore(string path, TimeSpan window, Func<long>? nowUnixMs, Action<string>? log, IdempotencyLimits? limits,
        long firstUnsafeSequence)
    {
        _firstUnsafeSequence = firstUnsafeSequence;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _path = Path.GetFullPath(path);
        _windowMs = (long)window.TotalMilliseconds;
        _nowUnixMs = nowUnixMs ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _log = log ?? (_ => { });
        _limits = limits ?? IdempotencyLimits.Default;
        _reservationTimeoutMs = (long)_limits.EffectiveReservationTimeout.TotalMilliseconds;
    }

    /// <summary>
    /// Opens (or creates) the log at <paramref name="path"/> and loads its unexpired entries. A torn or corrupt tail
    /// is truncated at the first bad record and reported through <paramref name="log"/>; records before it are kept.
    /// </summary>
    /// <param name="window">How long a completed response is replayed (Guardian: 24 h).</param>
    /// <param name="nowUnixMs">Clock in Unix milliseconds (tests inject one).</param>
    /// <param name="firstUnsafeSequence">
    /// From the segment log's recovery: records may be missing from this sequence number on, so responses standing for
    /// events at or past it are dropped (<see cref="SegmentLog.FirstUnsafeSequence"/>).
    /// </param>
    public static IdempotencyStore Open(string path, TimeSpan window, Func<long>? nowUnixMs = null, Action<string>? log = null,
        IdempotencyLimits? limits = null, long firstUnsafeSequence = long.MaxValue)
    {
        var store = new IdempotencyStore(path, window, nowUnixMs, log, limits, firstUnsafeSequence);
        try
        {
            store.Load();
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>Completed responses held (expired ones are dropped first).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                ThrowIfDisposed();
                ExpireOld(_nowUnixMs());
                return _completed;
            }
        }
    }

    /// <summary>Bytes of the log file (for tests and metrics).</summary>
    public long FileBytes
    {
        get { lock (_gate) return _fileLength; }
    }

    /// <summary>
    /// Atomically: a completed entry for (scope, key) younger than the window → <see cref="IdempotencyBegin.Replay"/>
    /// with <paramref name="response"/> set; another request holding the key → <see cref="IdempotencyBegin.InProgress"/>;
    /// otherwise the key is reserved for the caller → <see cref="IdempotencyBegin.New"/>, and the caller must later
    /// <see cref="Complete"/> or <see cref="Abandon"/> it.
    /// </summary>
    public IdempotencyBegin Begin(string scope, Guid key, out StoredResponse? response)
    {
        ArgumentNullException.ThrowIfNull(scope);
        response = null;
        lock (_gate)
        {
            ThrowIfDisposed();
            long now = _nowUnixMs();
            ExpireOld(now);
            if (_entries.TryGetValue((scope, key), out var entry))
            {
                if (entry.IsCompleted)
                {
                    if (now - entry.CreatedUnixMs < _windowMs)
                    {
                        response = entry.Response;
                        return IdempotencyBegin.Replay;
                    }
                    Remove(entry);
                }
                else if (now - entry.CreatedUnixMs < _reservationTimeoutMs)
                {
                    return IdempotencyBegin.InProgress;
                }
                else
                {
                    _log($"idempotency: reservation of {key} held since {entry.CreatedUnixMs} presumed leaked, taken over");
                }
            }
            _entries[(scope, key)] = new IdempotencyEntry(scope, key, now, null, 0);
            return IdempotencyBegin.New;
        }
    }

    /// <summary>
    /// Stores the response for (scope, key): appended to the log, flushed and fsynced, then published to later
    /// <see cref="Begin"/> calls. The window starts now. A body over the limit, or a failed write, is logged and
    /// releases the key instead (a retry will then be processed again). If a live response is already stored,
    /// the first one is kept. Call it only once the request's events are durable.
    /// </summary>
    /// <param name="storedBelowSequence">Every event of the request has a segment sequence number below this (0: no events).</param>
    public void Complete(string scope, Guid key, StoredResponse response, long storedBelowSequence = 0)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(response);
        lock (_gate)
        {
            ThrowIfDisposed();
            long now = _nowUnixMs();
            ExpireOld(now);
            _entries.TryGetValue((scope, key), out var existing);
            if (existing is { IsCompleted: true } && now - existing.CreatedUnixMs < _windowMs) return;

            if (response.Body.Length > _limits.MaxBodyBytes)
            {
                _log($"idempotency: response for {key} not stored: body of {response.Body.Length} bytes exceeds {_limits.MaxBodyBytes}");
                if (existing is not null) Remove(existing);
                return;
            }

            byte[] record;
            try
            {
                record = IdempotencyLogFormat.EncodeRecord(scope, key, now, response, storedBelowSequence);
                Append(record);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                _log($"idempotency: response for {key} not stored: {ex.Message}");
                if (existing is not null) Remove(existing);
                return;
            }

            if (existing is not null) Remove(existing);
            Add(new IdempotencyEntry(scope, key, now, response, record.Length, storedBelowSequence));
            EnforceBounds();
            if (ShouldCompact()) Compact();
        }
    }

    /// <summary>Releases a reservation without storing anything (the request failed, e.g. 429 or 5xx), so a retry is processed anew.</summary>
    public void Abandon(string scope, Guid key)
    {
        ArgumentNullException.ThrowIfNull(scope);
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_entries.TryGetValue((scope, key), out var entry) && !entry.IsCompleted) Remove(entry);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _file?.Dispose();
        }
    }

    private void Load()
    {
        string directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        // Left over by a crash during compaction; the log itself is whole either way.
        File.Delete(_path + TempSuffix);
        bool created = !File.Exists(_path);
        _file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        long length = RandomAccess.GetLength(_file);

        Span<byte> header = stackalloc byte[IdempotencyLogFormat.FileHeaderSize];
        if (length < header.Length || RandomAccess.Read(_file, header, 0) < header.Length
            || !IdempotencyLogFormat.IsValidFileHeader(header))
        {
            // Nothing in a file without our header can be trusted; the cache is rebuilt from empty.
            if (length > 0) _log($"idempotency log {_path}: bad file header, discarded {length} bytes");
            IdempotencyLogFormat.WriteFileHeader(header);
            RandomAccess.SetLength(_file, 0);
            RandomAccess.Write(_file, header, 0);
            RandomAccess.FlushToDisk(_file);
            if (created) DirectorySync.Fsync(directory);
            _fileLength = header.Length;
            return;
        }

        long now = _nowUnixMs();
        int lost = 0;
        var reader = new RecordScanner(_file, IdempotencyLogFormat.FileHeaderSize, length);
        string? error = null;
        long end;
        while (true)
        {
            end = reader.RecordStart;
            error = reader.Next(out var payload);
            if (error is not null || payload.IsEmpty) break;
            if (!IdempotencyLogFormat.TryDecodePayload(payload, out var entry))
            {
                error = "malformed record";
                break;
            }
            _fileRecords++;
            if (entry!.StoredBelowSequence > _firstUnsafeSequence)
            {
                lost++;
                continue;
            }
            if (now - entry.CreatedUnixMs >= _windowMs || entry.Response!.Body.Length > _limits.MaxBodyBytes) continue;
            if (_entries.TryGetValue((entry.Scope, entry.Key), out var older)) Remove(older);
            Add(entry);
            EnforceBounds();
        }

        _fileLength = end;
        if (error is not null)
        {
            RandomAccess.SetLength(_file, end);
            RandomAccess.FlushToDisk(_file);
            _log($"idempotency log {_path}: truncated {length - end} bytes at offset {end} ({error})");
        }
        ExpireOld(now);
        if (lost > 0)
        {
            _log($"idempotency log {_path}: dropped {lost} responses whose events may be missing from sequence {_firstUnsafeSequence} on (a retry is stored anew)");
            // Rewritten now, so they stay dropped once the damaged segment is no longer the one recovery scans.
            Compact();
        }
        else if (ShouldCompact())
        {
            Compact();
        }
    }

    private void Append(byte[] record)
    {
        try
        {
            RandomAccess.Write(_file, record, _fileLength);
            RandomAccess.FlushToDisk(_file);
        }
        catch (IOException)
        {
            // Cut off whatever part of the record made it, so later appends do not land behind a torn record.
            try { RandomAccess.SetLength(_file, _fileLength); } catch (IOException) { }
            throw;
        }
        _fileLength += record.Length;
        _fileRecords++;
    }

    private void Add(IdempotencyEntry entry)
    {
        _entries[(entry.Scope, entry.Key)] = entry;
        _order.Enqueue(entry);
        _completed++;
        _completedBytes += entry.Bytes;
    }

    private void Remove(IdempotencyEntry entry)
    {
        _entries.Remove((entry.Scope, entry.Key));
        if (!entry.IsCompleted) return;
        _completed--;
        _completedBytes -= entry.Bytes;
    }

    private bool IsCurrent(IdempotencyEntry entry)
        => _entries.TryGetValue((entry.Scope, entry.Key), out var current) && ReferenceEquals(current, entry);

    // Amortised O(1): each completed entry is dequeued once. Entries are queued in completion order, so the
    // front is the oldest (a clock step back can delay expiry of a few; Begin still checks each entry's age).
    private void ExpireOld(long now)
    {
        while (_order.TryPeek(out var oldest))
        {
            if (IsCurrent(oldest))
            {
                if (now - oldest.CreatedUnixMs < _windowMs) break;
                Remove(oldest);
            }
            _order.Dequeue();
        }
    }

    private void EnforceBounds()
    {
        while ((_completed > _limits.MaxEntries || _completedBytes > _limits.MaxTotalBytes) && _order.TryDequeue(out var oldest))
        {
            if (IsCurrent(oldest)) Remove(oldest);
        }
    }

    private bool ShouldCompact() => _fileRecords > _limits.CompactMinRecords && _fileRecords > 2L * _completed;

    /// <summary>
    /// Rewrites the live entries to a temp file, fsyncs it, renames it over the log and fsyncs the directory,
    /// so a crash at any point leaves either the old or the new log whole. On failure the old log stays in use.
    /// </summary>
    private void Compact()
    {
        string temp = _path + TempSuffix;
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
            var buffer = new MemoryStream();
            Span<byte> header = stackalloc byte[IdempotencyLogFormat.FileHeaderSize];
            IdempotencyLogFormat.WriteFileHeader(header);
            buffer.Write(header);
            long offset = 0;
            long records = 0;
            var live = new Queue<IdempotencyEntry>(_completed);
            foreach (var entry in _order)
            {
                if (!IsCurrent(entry)) continue;
                buffer.Write(IdempotencyLogFormat.EncodeRecord(entry.Scope, entry.Key, entry.CreatedUnixMs, entry.Response!, entry.StoredBelowSequence));
                live.Enqueue(entry);
                records++;
                if (buffer.Length >= 1 << 20) offset = Flush(handle, buffer, offset);
            }
            offset = Flush(handle, buffer, offset);
            RandomAccess.FlushToDisk(handle);
            File.Move(temp, _path, overwrite: true);

            // From here on the new file is the log; the handle follows the rename, so it simply becomes ours.
            _log($"idempotency log {_path}: compacted {_fileRecords} records ({_fileLength} bytes) to {records} ({offset} bytes)");
            _file.Dispose();
            _file = handle;
            handle = null;
            _fileLength = offset;
            _fileRecords = records;
            _order.Clear();
            foreach (var entry in live) _order.Enqueue(entry);
            DirectorySync.Fsync(Path.GetDirectoryName(_path)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log($"idempotency log {_path}: compaction failed: {ex.Message}");
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        finally
        {
            handle?.Dispose();
        }
    }

    private static long Flush(SafeFileHandle handle, MemoryStream buffer, long offset)
    {
        RandomAccess.Write(handle, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), offset);
        offset += buffer.Length;
        buffer.SetLength(0);
        return offset;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Reads records front to back through a growable buffer, one positional read per chunk.</summary>
    private sealed class RecordScanner(SafeFileHandle file, long start, long length)
    {
        private byte[] _buffer = new byte[1 << 16];
        private long _bufferOffset = start; // file offset of _buffer[0]
        private int _begin;
        private int _end;

        /// <summary>File offset of the record the next call to <see cref="Next"/> reads.</summary>
        public long RecordStart => _bufferOffset + _begin;

        /// <summary>Null with a payload for a good record, null with an empty payload at a clean end, or the reason the tail is bad.</summary>
        public string? Next(out ReadOnlySpan<byte> payload)
        {
            payload = default;
            if (!Fill(IdempotencyLogFormat.RecordHeaderSize))
            {
                return RecordStart == length ? null : "torn record header";
            }
            var head = _buffer.AsSpan(_begin, IdempotencyLogFormat.RecordHeaderSize);
            int size = BinaryPrimitives.ReadInt32LittleEndian(head);
            if (size <= 0 || size > IdempotencyLogFormat.MaxPayloadBytes) return "bad record length";
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            if (RecordStart + IdempotencyLogFormat.RecordHeaderSize + size > length) return "torn record";
            if (!Fill(IdempotencyLogFormat.RecordHeaderSize + size)) return "torn record";
            var body = _buffer.AsSpan(_begin + IdempotencyLogFormat.RecordHeaderSize, size);
            if (IdempotencyLogFormat.Checksum(_buffer.AsSpan(_begin, 4), body) != crc) return "CRC mismatch";
            payload = body;
            _begin += IdempotencyLogFormat.RecordHeaderSize + size;
            return null;
        }

        private bool Fill(int need)
        {
            if (_end - _begin >= need) return true;
            if (_begin > 0)
            {
                _buffer.AsSpan(_begin, _end - _begin).CopyTo(_buffer);
                _bufferOffset += _begin;
                _end -= _begin;
                _begin = 0;
            }
            if (need > _buffer.Length) Array.Resize(ref _buffer, Math.Max(need, _buffer.Length * 2));
            while (_end < need)
            {
                long at = _bufferOffset + _end;
                if (at >= length) return false;
                int n = RandomAccess.Read(file, _buffer.AsSpan(_end, (int)Math.Min(_buffer.Length - _end, length - at)), at);
                if (n <= 0) return false;
                _end += n;
            }
            return true;
        }
    }
}
