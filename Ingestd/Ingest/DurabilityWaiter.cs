using System.Threading.Tasks.Sources;

namespace Ingestd.Ingest;

/// <summary>
/// A reusable awaitable, one per connection, completed by the segment writer once the
/// durable position reaches <see cref="Target"/>. Reuse keeps acknowledgement allocation-free.
/// </summary>
/// <remarks>
/// Also a plain (result-less) <see cref="IValueTaskSource"/>, so a connection's loop can await it directly
/// through a layer that does not know <see cref="StoreResult"/> and read <see cref="Result"/> afterwards.
/// </remarks>
internal sealed class DurabilityWaiter : IValueTaskSource<StoreResult>, IValueTaskSource
{
    // Continuations run on the thread pool, never on the writer thread.
    private ManualResetValueTaskSourceCore<StoreResult> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>Ring position after the request's last entry: it is durable once the writer's durable position reaches this.</summary>
    public long Target { get; private set; }

    /// <summary>Ring position after the request's first entry: a storage failure at or after it fails the request.</summary>
    public long FirstEnd { get; private set; }

    /// <summary>The outcome of the last completed wait.</summary>
    public StoreResult Result { get; private set; }

    public ValueTask<StoreResult> Arm(long firstEnd, long target)
    {
        _core.Reset();
        FirstEnd = firstEnd;
        Target = target;
        return new ValueTask<StoreResult>(this, _core.Version);
    }

    /// <summary>The armed wait as a plain <see cref="ValueTask"/>; its outcome is in <see cref="Result"/> once it completes.</summary>
    public ValueTask AsPlainTask() => new(this, _core.Version);

    public void Complete(StoreResult result)
    {
        Result = result;
        _core.SetResult(result);
    }

    public StoreResult GetResult(short token) => _core.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);
}
