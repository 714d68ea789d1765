using System.Collections.Concurrent;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Parsing.Buffers;
using Ingestd.Ring;
using Ingestd.Storage;

namespace Ingestd.Ingest;

/// <summary>
/// The one thread that owns the segment files. It takes records from the ring in batches, packs records
/// into blocks of up to <c>block_max_bytes</c>, appends them through <see cref="SegmentLog"/>,
/// fsyncs once per group taken in <c>fsync</c> mode (group commit), then publishes
/// "durable up to position N" and completes the connections waiting for it.
/// </summary>
internal sealed class SegmentWriter : IDisposable
{
    private readonly EventRing _ring;
    private readonly SegmentLog _log;
    private readonly Durability _durability;
    private readonly int _blockMaxBytes;
    private readonly PooledBuffer _block;
    private readonly ConcurrentQueue<DurabilityWaiter> _incoming = new();
    private readonly List<DurabilityWaiter> _pending = new();
    private readonly Thread _thread;
    private readonly Metrics _metrics;
    private readonly FailedRanges _failed = new();
    private volatile bool _stopping;
    private long _durable;
    private long _durableSequence;

    private int _blockCount;
    private long _blockMin = long.MaxValue, _blockMax = long.MinValue;
    private long _blockFrom;      // ring position before the block's first entry
    private long _lastEntryEnd;   // ring position after the last entry taken from the ring
    private long _lastSyncedEnd;  // fsync mode: ring position up to which a successful fsync covered everything
    private StorageErrorKind? _syncFailure; // fsync mode: an fsync failed since the last commit
    private bool _groupFailed;    // a block of the group being committed failed

    private readonly TimeSpan _idleWait;

    /// <param name="idleWait">Longest sleep while idle (the loop's heartbeat); tests make it infinite to prove that no wake-up is lost.</param>
    public SegmentWriter(EventRing ring, SegmentLog log, Durability durability, int blockMaxBytes, Metrics metrics,
        StorageHealth? health = null, TimeSpan? idleWait = null)
    {
        _idleWait = idleWait ?? TimeSpan.FromMilliseconds(200);
        _ring = ring;
        _log = log;
        _durability = durability;
        _blockMaxBytes = blockMaxBytes;
        _metrics = metrics;
        Health = health ?? new StorageHealth(Log.Error, Log.Info);
        _block = new PooledBuffer(blockMaxBytes + 64 * 1024);
        _thread = new Thread(Run) { Name = "segment-writer", IsBackground = true };
    }

    public void Start() => _thread.Start();

    /// <summary>Whether the last write succeeded, and the failures counted by kind.</summary>
    public StorageHealth Health { get; }

    /// <summary>True while the writer thread runs and has looped recently (idle, it wakes every 200 ms).</summary>
    public bool IsAlive => _thread.IsAlive && (Environment.TickCount64 - Volatile.Read(ref _lastLoop) < 30_000 || _idleWait == Timeout.InfiniteTimeSpan);

    private long _lastLoop = Environment.TickCount64;

    /// <summary>
    /// An upper bound of the log's next sequence number once everything up to the durable position was written:
    /// every record of a request that is durable has a sequence number below it.
    /// </summary>
    public long DurableSequence => Volatile.Read(ref _durableSequence);

    /// <summary>
    /// Waits until the request whose entries end at <paramref name="firstEnd"/> (its first entry) through
    /// <paramref name="endPosition"/> (its last) is durable. Completes synchronously when it already is.
    /// Anything but <see cref="StoreResult.Durable"/>: a block holding one of its entries could not be stored.
    /// </summary>
    public ValueTask<StoreResult> WaitDurableAsync(DurabilityWaiter waiter, long firstEnd, long endPosition)
    {
        // Failures are recorded before _durable moves past them, so reading _durable first sees every failure that concerns it.
        if (Volatile.Read(ref _durable) >= endPosition) return new ValueTask<StoreResult>(_failed.Check(firstEnd, endPosition));
        var task = waiter.Arm(firstEnd, endPosition);
        _incoming.Enqueue(waiter);
        _ring.Wake();
        return task;
    }

    /// <summary>Closes the ring to new publishes, writes everything published into it, fsyncs and stops the thread.</summary>
    public void StopAfterWritingAll()
    {
        _ring.Close();
        _stopping = true;
        _ring.Wake();
        _thread.Join();
    }

    private void Run()
    {
        while (true)
        {
            Volatile.Write(ref _lastLoop, Environment.TickCount64);
            bool stopping = _stopping;
            long end = TakeFromRing();
            if (end > 0) Commit(end);
            CompleteWaiters();
            if (stopping && _ring.IsClosedAndRead)
            {
                FinalSync();
                break;
            }
            if (!HasWork())
            {
                // Announced first, checked again after: a publish or waiter arriving in between ends the wait.
                // Announcing only when idle keeps producers from signalling a writer that is busy anyway.
                _ring.PrepareWait();
                if (!HasWork()) _ring.Wait(_idleWait);
                _ring.EndWait();
            }
        }
    }

    private bool HasWork() => _ring.HasData || !_incoming.IsEmpty || (_stopping && _ring.IsClosedAndRead);

    // Moves everything currently published from the ring into blocks; returns the last end position (0 if none).
    private long TakeFromRing()
    {
        long lastEnd = 0;
        while (_ring.TryRead(out var records, out int count, out long min, out long max, out long endPosition))
        {
            if (_block.Length > 0 && _block.Length + records.Length > _blockMaxBytes) FlushBlock();
            if (_block.Length == 0) _blockFrom = _lastEntryEnd;
            _block.Write(records);
            _blockCount += count;
            if (min < _blockMin) _blockMin = min;
            if (max > _blockMax) _blockMax = max;
            lastEnd = _lastEntryEnd = endPosition;
            // Copied out: the space can go back to producers before the disk write.
            _ring.Release();
            if (_block.Length >= _blockMaxBytes) FlushBlock();
        }
        if (_block.Length > 0) FlushBlock();
        return lastEnd;
    }

    private void FlushBlock()
    {
        try
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            _log.Append(_block.WrittenSpan, _blockCount, _blockMin, _blockMax);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(start);
            _metrics.BlockWriteSeconds.Observe(took.TotalSeconds);
            if (LatencyEvents.Log.IsEnabled())
                LatencyEvents.Log.BlockWritten(_block.Length, _blockCount, (long)took.TotalMicroseconds);
            _metrics.BlocksWritten.Increment();
            if (_durability != Durability.Fsync) Health.Succeeded();
        }
        catch (SegmentSyncException e)
        {
            // A closed segment's fsync (at rotation, or found failed in the background since the last block): like a
            // failed commit fsync, plus this block was not written.
            Health.Failed(e.Kind, $"fsync of a closed segment failed: {e.Message}");
            _failed.Add(_blockFrom, _lastEntryEnd, e.Kind);
            _groupFailed = true;
            if (_durability == Durability.Fsync) _syncFailure = e.Kind;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing of this block was stored: every request with an entry in it gets a storage error.
            var kind = StorageErrors.Classify(e);
            Health.Failed(kind, $"segment write failed, {_blockCount} records not stored: {e.Message}");
            _failed.Add(_blockFrom, _lastEntryEnd, kind);
            _groupFailed = true;
        }
        _block.Reset();
        _blockCount = 0;
        _blockMin = long.MaxValue;
        _blockMax = long.MinValue;
    }

    private void Commit(long end)
    {
        if (_durability == Durability.Fsync)
        {
            Sync();
            if (_syncFailure is { } kind)
            {
                // After a failed fsync nothing written since the last good one may count as stored (fsyncgate).
                _failed.Add(_lastSyncedEnd, end, kind);
                _syncFailure = null;
            }
            else if (!_groupFailed)
            {
                Health.Succeeded();
            }
            _lastSyncedEnd = end;
        }
        _groupFailed = false;
        Volatile.Write(ref _durableSequence, _log.NextSequence);
        Volatile.Write(ref _durable, end);
    }

    private void Sync()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            _log.Sync();
        }
        catch (SegmentSyncException e)
        {
            Health.Failed(e.Kind, $"fsync failed: {e.Message}");
            _syncFailure = e.Kind;
        }
        _metrics.FsyncSeconds.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    // At stop, in every mode: what was acknowledged under write or memory durability is made to survive power loss too.
    private void FinalSync()
    {
        Sync();
        _syncFailure = null;
    }

    private void CompleteWaiters()
    {
        while (_incoming.TryDequeue(out var w)) _pending.Add(w);
        long durable = Volatile.Read(ref _durable);
        for (int i = _pending.Count - 1; i >= 0; i--)
        {
            var w = _pending[i];
            if (w.Target > durable) continue;
            _pending.RemoveAt(i);
            w.Complete(_failed.Check(w.FirstEnd, w.Target));
        }
    }

    public void Dispose()
    {
        _block.Dispose();
        _log.Dispose();
    }
}
