using System.Collections.Concurrent;
using Ingestd.Config;
using Ingestd.Parsing.Buffers;
using Ingestd.Ring;

namespace Ingestd.Storage;

/// <summary>
/// The one thread that owns the segment files. It drains the ring in batches, packs records
/// into blocks of up to <c>block_max_bytes</c>, appends them through <see cref="SegmentLog"/>,
/// fsyncs once per drained group in <c>fsync</c> mode (group commit), then publishes
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
    private volatile bool _stopping;
    private long _durable;
    private long _failedUpTo = -1;

    private int _blockCount;
    private long _blockMin = long.MaxValue, _blockMax = long.MinValue;

    public SegmentWriter(EventRing ring, SegmentLog log, Durability durability, int blockMaxBytes, Metrics metrics)
    {
        _ring = ring;
        _log = log;
        _durability = durability;
        _blockMaxBytes = blockMaxBytes;
        _metrics = metrics;
        _block = new PooledBuffer(blockMaxBytes + 64 * 1024);
        _thread = new Thread(Run) { Name = "segment-writer", IsBackground = true };
    }

    public void Start() => _thread.Start();

    /// <summary>True while the writer thread runs and has looped recently (it wakes at least every 200 ms).</summary>
    public bool IsAlive => _thread.IsAlive && Environment.TickCount64 - Volatile.Read(ref _lastLoop) < 30_000;

    private long _lastLoop = Environment.TickCount64;

    /// <summary>
    /// Waits until the request whose entries end at <paramref name="firstEnd"/> (its first entry) through
    /// <paramref name="endPosition"/> (its last) is durable. Completes synchronously when it already is.
    /// Result false: a block at or after the request's first entry could not be stored, so part of it may be missing.
    /// </summary>
    public ValueTask<bool> WaitDurableAsync(DurabilityWaiter waiter, long firstEnd, long endPosition)
    {
        // _durable is published after _failedUpTo, so reading it first sees the matching failure mark.
        if (Volatile.Read(ref _durable) >= endPosition) return new ValueTask<bool>(firstEnd > Volatile.Read(ref _failedUpTo));
        var task = waiter.Arm(firstEnd, endPosition);
        _incoming.Enqueue(waiter);
        _ring.Wake();
        return task;
    }

    /// <summary>Drains everything published so far, fsyncs and stops the thread.</summary>
    public void StopAndDrain()
    {
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
            long end = Drain();
            if (end > 0) Commit(end);
            CompleteWaiters();
            if (stopping && !_ring.HasData)
            {
                Sync();
                break;
            }
            if (!_ring.HasData && _incoming.IsEmpty) _ring.WaitForData(TimeSpan.FromMilliseconds(200));
        }
    }

    // Moves everything currently published from the ring into blocks; returns the last end position (0 if none).
    private long Drain()
    {
        long lastEnd = 0;
        while (_ring.TryRead(out var records, out int count, out long min, out long max, out long endPosition))
        {
            if (_block.Length > 0 && _block.Length + records.Length > _blockMaxBytes) FlushBlock();
            _block.Write(records);
            _blockCount += count;
            if (min < _blockMin) _blockMin = min;
            if (max > _blockMax) _blockMax = max;
            lastEnd = endPosition;
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
            _log.Append(_block.WrittenSpan, _blockCount, _blockMin, _blockMax);
            _metrics.BlocksWritten.Increment();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing of this block was acknowledged: its requests get a storage error.
            Log.Error($"segment write failed, {_blockCount} records not stored: {e.Message}");
            Volatile.Write(ref _failedUpTo, long.MaxValue);
        }
        _block.Reset();
        _blockCount = 0;
        _blockMin = long.MaxValue;
        _blockMax = long.MinValue;
    }

    private void Commit(long end)
    {
        if (_durability == Durability.Fsync) Sync();
        if (_failedUpTo == long.MaxValue) Volatile.Write(ref _failedUpTo, end);
        Volatile.Write(ref _durable, end);
    }

    private void Sync()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            _log.Sync();
        }
        catch (IOException e)
        {
            Log.Error($"fsync failed: {e.Message}");
            Volatile.Write(ref _failedUpTo, long.MaxValue);
        }
        _metrics.FsyncSeconds.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds);
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
            w.Complete(w.FirstEnd > _failedUpTo);
        }
    }

    public void Dispose()
    {
        _block.Dispose();
        _log.Dispose();
    }
}
