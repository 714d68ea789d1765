using System.Threading.Tasks.Sources;

namespace Ingestd.Bench.Load;

/// <summary>
/// A delay that can be awaited again and again without allocating (Task.Delay allocates a task
/// and a timer each time), for a paced connection waiting for its next intended send time.
/// One waiter at a time. Cancelling the token ends the current and every later wait at once.
/// Resolution is the runtime timer's, about a millisecond.
/// </summary>
internal sealed class ReusableDelay : IValueTaskSource, IDisposable
{
    private readonly Timer _timer;
    private readonly CancellationTokenRegistration _cancellation;
    private readonly CancellationToken _ct;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _pending;

    public ReusableDelay(CancellationToken ct)
    {
        _ct = ct;
        _timer = new Timer(static state => ((ReusableDelay)state!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
        _cancellation = ct.UnsafeRegister(static state => ((ReusableDelay)state!).Fire(), this);
    }

    /// <summary>Waits at least <paramref name="milliseconds"/> (or until cancellation).</summary>
    public ValueTask WaitAsync(long milliseconds)
    {
        if (milliseconds <= 0 || _ct.IsCancellationRequested) return ValueTask.CompletedTask;
        _core.Reset();
        Volatile.Write(ref _pending, 1);
        _timer.Change(milliseconds, Timeout.Infinite);
        if (_ct.IsCancellationRequested) Fire();
        return new ValueTask(this, _core.Version);
    }

    // The timer and the cancellation may both fire: only the first completes the wait.
    private void Fire()
    {
        if (Interlocked.Exchange(ref _pending, 0) == 1) _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    public void Dispose()
    {
        _cancellation.Dispose();
        _timer.Dispose();
    }
}
