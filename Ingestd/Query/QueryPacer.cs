using System.Diagnostics;

namespace Ingestd.Query;

/// <summary>
/// Keeps a scan inside the daemon from holding up the ingest path on a shared core. Measured with <c>perf sched</c>
/// (the benchmarks' README, "queries during ingest"): with a scan sleeping 1 ms after each 1 ms of running, it ran its
/// whole slice at a stretch, so an ingest thread woken meanwhile (a connection, the segment writer) waited for the rest
/// of it (the kernel lets a running thread finish its slice before a woken one of equal weight), and ingest queued
/// behind itself more, the core being nearly full (ingest half, the scan a third, other processes the rest). So:
/// <list type="bullet">
/// <item><b>Short turns.</b> After each <see cref="Turn"/> of running the scan offers the core to whoever waits for it
/// (<see cref="Thread.Yield"/>, sched_yield: a system call and nothing more when no one waits).</item>
/// <item><b>Giving way.</b> When someone did take the core in that yield (it lasted <see cref="Contended"/> or more),
/// the core is wanted: the scan pauses rather than take turns with them, so it runs mostly in the gaps ingest leaves.</item>
/// <item><b>Half duty at most.</b> After each <see cref="Slice"/> of running it pauses too: a scan is CPU work without
/// waits, and unpaced it took the core (ingest p99 from a few ms to hundreds). The same idea as PostgreSQL's
/// cost-based vacuum delay.</item>
/// </list>
/// A pause is one <see cref="Slice"/> asleep (a millisecond is the sleep's granularity). The price: a query does at
/// most half the work per second of <c>limits.query_max_time</c>, less while ingest is busy. Not a lower thread
/// priority: at nice 19 a scan starved by other processes held every GC's suspension (and so ingest) for seconds; a
/// thread that yields or sleeps is never one a GC waits for. <c>ingestd query</c> runs unpaced. One instance per scan
/// (not thread-safe).
/// </summary>
internal sealed class QueryPacer
{
    /// <summary>Running time between two pauses at most, and the length of a pause.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(1);

    /// <summary>Running time between two offers of the core to waiting threads.</summary>
    public static readonly TimeSpan Turn = TimeSpan.FromMicroseconds(100);

    /// <summary>A yield at least this long gave the core to someone (one that no one took returns in a few µs).</summary>
    public static readonly TimeSpan Contended = TimeSpan.FromMicroseconds(20);

    private static readonly long SliceTicks = Ticks(Slice);
    private static readonly long TurnTicks = Ticks(Turn);
    private static readonly long ContendedTicks = Ticks(Contended);

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    private long _sliceStart = Stopwatch.GetTimestamp();
    private long _turnStart = Stopwatch.GetTimestamp();

    /// <summary>Called between blocks and every few records; one clock read unless a turn or the slice is used up.</summary>
    public void Check()
    {
        long now = Stopwatch.GetTimestamp();
        if (now - _sliceStart >= SliceTicks)
        {
            Pause();
            return;
        }
        if (now - _turnStart < TurnTicks) return;
        Thread.Yield();
        long after = Stopwatch.GetTimestamp();
        if (after - now >= ContendedTicks) Pause();
        else _turnStart = after;
    }

    private void Pause()
    {
        Thread.Sleep(Slice);
        _sliceStart = _turnStart = Stopwatch.GetTimestamp();
    }
}
