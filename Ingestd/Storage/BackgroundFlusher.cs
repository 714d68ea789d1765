using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// The segment log's disk calls that no acknowledgement waits for, run on a thread of their own: writeback hints
/// (<see cref="WritebackHint"/>), raising the sequence high-water mark ahead of need (<see cref="Run"/>) and, under
/// <c>write</c> and <c>memory</c> durability, the fsync and close of a segment just rotated out. On the writer thread these calls blocked for 25–130 ms at a time while the disk was busy
/// (strace of a paced run, in the README of the bench project), and every acknowledgement of the requests behind them waited.
/// Jobs run in the order given; the segment log is the only producer.
/// </summary>
/// <remarks>
/// A failed fsync is not retried (after one, Linux may already have marked the failed pages clean): it is logged and
/// kept in <see cref="Failure"/> until the log takes it, so the writer reports it as it reports an inline one.
/// </remarks>
internal sealed class BackgroundFlusher : IDisposable
{
    // A hint is advice: past this many waiting jobs the disk is behind anyway, and new hints are dropped.
    private const int MaxQueuedHints = 64;

    private readonly ISegmentFiles _files;
    private readonly Action<string> _log;
    private readonly TimeSpan _stopWait;
    private readonly Queue<Job> _jobs = new();
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly List<string> _pendingCloses = []; // paths of closed segments queued or being fsynced
    private bool _stopping;
    private bool _busy;
    private Exception? _failure;

    private readonly record struct Job(SafeFileHandle? File, long Offset, long Length, string? ClosePath, Action? AfterSync, Action? Work = null);

    /// <param name="stopWait">How long <see cref="Dispose"/> waits for the queued fsyncs before it gives up on them.</param>
    public BackgroundFlusher(ISegmentFiles files, Action<string> log, TimeSpan? stopWait = null)
    {
        _files = files;
        _log = log;
        _stopWait = stopWait ?? TimeSpan.FromSeconds(60);
        _thread = new Thread(Run) { IsBackground = true, Name = "ingestd-flusher" };
        _thread.Start();
    }

    /// <summary>
    /// The error of a background fsync that failed and was not taken yet (<see cref="TakeFailure"/>). Read without a
    /// lock on every append: null almost always.
    /// </summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Returns and clears the error of a failed background fsync; null when none failed since the last call.</summary>
    public Exception? TakeFailure() => Interlocked.Exchange(ref _failure, null);

    /// <summary>Queues a writeback hint for the range; the handle stays usable for it even if the log closes it meanwhile.</summary>
    public void Hint(SafeFileHandle file, long offset, long length)
    {
        if (length <= 0) return;
        lock (_gate)
        {
            if (_stopping || _jobs.Count >= MaxQueuedHints) return;
            bool added = false;
            file.DangerousAddRef(ref added);
            _jobs.Enqueue(new Job(file, offset, length, null, null));
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Takes over a closed segment's handle: fsyncs it, runs <paramref name="afterSync"/> when the fsync succeeded, then
    /// closes it. A failure is logged and kept in <see cref="Failure"/>, not thrown.
    /// </summary>
    public void SyncAndClose(SafeFileHandle file, string path, Action? afterSync)
    {
        lock (_gate)
        {
            if (!_stopping)
            {
                bool added = false;
                file.DangerousAddRef(ref added);
                _pendingCloses.Add(path);
                _jobs.Enqueue(new Job(file, 0, 0, path, afterSync));
                Monitor.PulseAll(_gate);
                return;
            }
        }
        // Only after Dispose began (the log is being torn down): do it here.
        SyncClosed(file, path, afterSync);
    }

    /// <summary>
    /// Queues other disk work no acknowledgement waits for (raising the sequence high-water mark ahead of need); it must
    /// handle its own errors. False when the flusher is stopping: the caller does without.
    /// </summary>
    public bool Run(Action work)
    {
        lock (_gate)
        {
            if (_stopping) return false;
            _jobs.Enqueue(new Job(null, 0, 0, null, null, work));
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    /// <summary>True while the segment at <paramref name="path"/> is queued or being fsynced here (its file is still open).</summary>
    public bool Holds(string path)
    {
        lock (_gate) return _pendingCloses.Contains(path);
    }

    /// <summary>Waits until every closed segment handed over so far is fsynced (or its fsync has failed) and closed.</summary>
    public void WaitForClosedSegments()
    {
        lock (_gate)
        {
            while (_pendingCloses.Count > 0) Monitor.Wait(_gate);
        }
    }

    /// <summary>Waits until every job queued so far is done, for at most <paramref name="timeout"/>; true when it is.</summary>
    public bool WaitIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            while (_jobs.Count > 0 || _busy)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0) return false;
                Monitor.Wait(_gate, (int)Math.Min(left, 1000));
            }
            return true;
        }
    }

    private void Run()
    {
        while (true)
        {
            Job job;
            lock (_gate)
            {
                _busy = false;
                Monitor.PulseAll(_gate);
                while (_jobs.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_jobs.Count == 0) return;
                job = _jobs.Dequeue();
                _busy = true;
            }
            try
            {
                if (job.Work is not null) job.Work();
                else if (job.ClosePath is null) WritebackHint.Start(job.File!, job.Offset, job.Length);
                else SyncClosed(job.File!, job.ClosePath, job.AfterSync);
            }
            catch (Exception e)
            {
                // This thread must never take the daemon down; SyncClosed handles the errors that mean something.
                _log($"background flusher: {e.Message}");
            }
            finally
            {
                job.File?.DangerousRelease();
                if (job.ClosePath is not null)
                {
                    lock (_gate)
                    {
                        _pendingCloses.Remove(job.ClosePath);
                        Monitor.PulseAll(_gate);
                    }
                }
            }
        }
    }

    private void SyncClosed(SafeFileHandle file, string path, Action? afterSync)
    {
        bool synced = false;
        try
        {
            _files.Flush(file);
            synced = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Its records were acknowledged once written (write durability): they are on the page cache, and a power loss
            // before the kernel writes them may lose them. Not retried (fsyncgate); said loudly, and handed to the writer.
            _log($"fsync of closed segment {path} failed ({e.Message}): its records were acknowledged under write durability and may not survive a power loss");
            Volatile.Write(ref _failure, e);
        }
        finally
        {
            file.Dispose();
        }
        // Like an inline rotation: a segment whose fsync failed gets no index (its pages' state is unknown).
        if (synced) afterSync?.Invoke();
    }

    /// <summary>Runs what is queued (closed segments are fsynced and closed), then stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        // Bounded: a disk that stopped answering must not keep the daemon from exiting (systemd would kill it anyway).
        if (!_thread.Join(_stopWait))
            _log($"background flusher: fsync of closed segments still not done after {_stopWait.TotalSeconds:0} s; stopping without it");
    }
}
