using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// The segment log's disk calls that no acknowledgement waits for, run on a thread of their own: writeback hints
/// (<see cref="WritebackHint"/>) and, under <c>write</c> and <c>memory</c> durability, the fsync and close of a segment
/// just rotated out. On the writer thread these calls blocked for 25–130 ms at a time while the disk was busy
/// (strace of a paced run, Ingestd.Bench/README.md), and every acknowledgement of the requests behind them waited.
/// Jobs run in the order given; the segment log is the only producer.
/// </summary>
internal sealed class BackgroundFlusher : IDisposable
{
    // A hint is advice: past this many waiting jobs the disk is behind anyway, and new hints are dropped.
    private const int MaxQueuedHints = 64;

    private readonly ISegmentFiles _files;
    private readonly Action<string> _log;
    private readonly Queue<Job> _jobs = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private bool _stopping;
    private int _pendingCloses;  // fsync-and-close jobs queued or running

    private readonly record struct Job(SafeFileHandle File, long Offset, long Length, string? ClosePath);

    public BackgroundFlusher(ISegmentFiles files, Action<string> log)
    {
        _files = files;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "ingestd-flusher" };
        _thread.Start();
    }

    /// <summary>Queues a writeback hint for the range; the handle stays usable for it even if the log closes it meanwhile.</summary>
    public void Hint(SafeFileHandle file, long offset, long length)
    {
        if (length <= 0) return;
        lock (_gate)
        {
            if (_stopping || _jobs.Count >= MaxQueuedHints) return;
            bool added = false;
            file.DangerousAddRef(ref added);
            _jobs.Enqueue(new Job(file, offset, length, null));
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Takes over a closed segment's handle: fsyncs it, then closes it. A failure is reported, not thrown.</summary>
    public void SyncAndClose(SafeFileHandle file, string path)
    {
        lock (_gate)
        {
            bool added = false;
            file.DangerousAddRef(ref added);
            _pendingCloses++;
            _jobs.Enqueue(new Job(file, 0, 0, path));
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until every closed segment handed over so far is fsynced (or its fsync has failed).</summary>
    public void WaitForClosedSegments()
    {
        lock (_gate)
        {
            while (_pendingCloses > 0) Monitor.Wait(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            Job job;
            lock (_gate)
            {
                while (_jobs.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_jobs.Count == 0) return;
                job = _jobs.Dequeue();
            }
            try
            {
                if (job.ClosePath is null) WritebackHint.Start(job.File, job.Offset, job.Length);
                else SyncClosed(job.File, job.ClosePath);
            }
            finally
            {
                job.File.DangerousRelease();
                lock (_gate)
                {
                    if (job.ClosePath is not null) _pendingCloses--;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    private void SyncClosed(SafeFileHandle file, string path)
    {
        try
        {
            _files.Flush(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Its records were acknowledged once written (write durability): they are on the page cache, and a power loss
            // before the kernel writes them may lose them. Said loudly; the segment stays readable as it is.
            _log($"fsync of closed segment {path} failed ({e.Message}): its records were acknowledged under write durability and may not survive a power loss");
        }
        finally
        {
            file.Dispose();
        }
    }

    /// <summary>Runs what is queued (closed segments are fsynced), then stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }
}
