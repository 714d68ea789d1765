using System.Buffers;
namespace Ingestd.Storage.Index;

/// <summary>
/// Writes segment indexes on a thread of its own, so that neither the writer thread nor any request waits for an
/// index: the ones built in memory at rotation (one small write and two fsyncs each) and the ones rebuilt by reading a
/// segment (at start-up, for closed segments without one). At disposal, built ones still queued are written and
/// rebuilds are abandoned (the next start, or <c>ingestd verify --reindex</c>, does them).
/// </summary>
internal sealed class IndexWorker : IDisposable
{
    private readonly Action<string> _log;
    private readonly Queue<Job> _jobs = new();
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;
    private bool _busy;
    private bool _disposed;

    private sealed record Job(string SegmentPath, SegmentIndexBuilder? Built, long SegmentLength);

    public IndexWorker(Action<string> log) => _log = log;

    /// <summary>Indexes written since start (both kinds).</summary>
    public int Written { get; private set; }

    /// <summary>Queues the index built while <paramref name="segmentPath"/> was written; it covers <paramref name="segmentLength"/> bytes.</summary>
    public void WriteBuilt(string segmentPath, SegmentIndexBuilder builder, long segmentLength) => Enqueue(new Job(segmentPath, builder, segmentLength));

    /// <summary>Queues a rebuild of <paramref name="segmentPath"/>'s index by reading the segment.</summary>
    public void Rebuild(string segmentPath) => Enqueue(new Job(segmentPath, null, 0));

    private void Enqueue(Job job)
    {
        lock (_jobs)
        {
            if (_disposed) return;
            _jobs.Enqueue(job);
            if (_thread is null)
            {
                _thread = new Thread(Run) { Name = "segment-indexer", IsBackground = true, Priority = ThreadPriority.BelowNormal };
                _thread.Start();
            }
            Monitor.PulseAll(_jobs);
        }
    }

    /// <summary>Waits until every queued job is done, for at most <paramref name="timeout"/>; true when it is.</summary>
    public bool WaitIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_jobs)
        {
            while (_jobs.Count > 0 || _busy)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0) return false;
                Monitor.Wait(_jobs, (int)Math.Min(left, 1000));
            }
            return true;
        }
    }

    private void Run()
    {
        using var reader = new BlockReader();
        while (true)
        {
            Job job;
            lock (_jobs)
            {
                _busy = false;
                Monitor.PulseAll(_jobs);
                while (_jobs.Count == 0 && !_disposed) Monitor.Wait(_jobs);
                if (_jobs.Count == 0) return;
                job = _jobs.Dequeue();
                _busy = true;
            }
            if (job.Built is null && _stop.IsCancellationRequested) continue;
            try
            {
                Do(job, reader);
            }
            catch (Exception e)
            {
                // An index is an optimisation: without it readers scan the block headers. Whatever went wrong (a full disk,
                // a segment that changed under the rebuild), say so and go on; this thread must never take the daemon down.
                _log($"index: could not write the index of {job.SegmentPath}: {e.Message}; readers scan it instead");
            }
        }
    }

    private void Do(Job job, BlockReader reader)
    {
        if (!File.Exists(job.SegmentPath)) return; // retention got there first
        if (job.Built is { } built)
        {
            int length = built.BuildPooled(job.SegmentLength, out byte[] file);
            try
            {
                SegmentIndexFile.Write(job.SegmentPath, file.AsSpan(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(file);
            }
        }
        else
        {
            int blocks = SegmentIndexer.Rebuild(job.SegmentPath, reader, _stop.Token, out string? whyNot);
            if (blocks < 0)
            {
                if (whyNot != "cancelled") _log($"index: {job.SegmentPath}: {whyNot}");
                return;
            }
            _log($"index: rebuilt the index of {job.SegmentPath} ({blocks} blocks)");
        }
        Written++;
        // Retention may have deleted the segment while its index was being written: do not leave an orphan behind.
        if (!File.Exists(job.SegmentPath)) SegmentIndexFile.Delete(job.SegmentPath);
    }

    public void Dispose()
    {
        Thread? thread;
        lock (_jobs)
        {
            if (_disposed) return;
            _disposed = true;
            _stop.Cancel();
            thread = _thread;
            Monitor.PulseAll(_jobs);
        }
        thread?.Join();
        _stop.Dispose();
    }
}
