namespace Ingestd.Transport;

/// <summary>
/// Counts TLS handshakes in progress across all listeners and refuses new ones beyond the limit; also carries the
/// handshake timeout. Both change on reload ([limits]); a handshake reads them when it starts.
/// </summary>
internal sealed class TlsHandshakeGate(int max, TimeSpan timeout)
{
    private int _inProgress;
    private int _max = max;
    private long _timeoutTicks = timeout.Ticks;

    public int Max
    {
        get => Volatile.Read(ref _max);
        set => Volatile.Write(ref _max, value);
    }

    public TimeSpan Timeout
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _timeoutTicks));
        set => Volatile.Write(ref _timeoutTicks, value.Ticks);
    }

    public int InProgress => Volatile.Read(ref _inProgress);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inProgress) <= Max) return true;
        Interlocked.Decrement(ref _inProgress);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inProgress);
}
