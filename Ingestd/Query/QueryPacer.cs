using System.Diagnostics;

namespace Ingestd.Query;

/// <summary>
/// Keeps a scan inside the daemon from holding up the ingest path on a shared core. Measured with <c>perf sched</c>
/// and the paced comparison (the benchmarks' README, "queries during ingest"): with a scan sleeping 1 ms after each
/// 1 ms of running, it ran its whole slice at a stretch, so an ingest thread woken meanwhile (a connection, the
/// segment writer) waited for the rest of it (the kernel lets a running thread finish its slice before a woken one of
/// equal weight); and a scan that only slept a fixed 1 ms when the core was wanted came back in the middle of ingest's
/// bursts, every millisecond, raising the ingest p99 1.8× on a core ingest kept 75 % busy. So:
/// <list type="bullet">
/// <item><b>Short turns.</b> After each <see cref="Turn"/> of running the scan offers the core to whoever waits for it
/// (sched_yield: a system call and nothing more when no one waits).</item>
/// <item><b>Giving way until the core is free.</b> When someone did take the core in that yield (it lasted
/// <see cref="Contended"/> or more), the scan pauses, and after each <see cref="Slice"/> asleep it offers the core
/// again before doing any work: it resumes only once an offer finds no taker, i.e. ingest has nothing runnable. So
/// it runs in the gaps ingest leaves, not in turns with it.</item>
/// <item><b>Half duty at most.</b> After each <see cref="Slice"/> of running it pauses too: a scan is CPU work without
/// waits, and unpaced it took the core (ingest p99 from a few ms to hundreds). The same idea as PostgreSQL's
/// cost-based vacuum delay.</item>
/// <item><b>Never starved.</b> A pause ends after <see cref="LongestPause"/> even if the core is still wanted, so a
/// daemon saturated with ingest still answers queries, slowly (a turn per pause: about 1 % of the core).</item>
/// </list>
/// Not a lower thread priority: at nice 19 a scan starved by other processes held every GC's suspension (and so
/// ingest) for seconds; a thread that yields or sleeps is never one a GC waits for. <c>ingestd query</c> runs
/// unpaced. One instance per scan (not thread-safe).
/// </summary>
internal sealed class QueryPacer
{
    /// <summary>Running time between two pauses at most, and the step a pause sleeps in.</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(1);

    /// <summary>Running time between two offers of the core to waiting threads.</summary>
    public static readonly TimeSpan Turn = TimeSpan.FromMicroseconds(100);

    /// <summary>A yield at least this long gave the core to someone (one that no one took returns in a few µs).</summary>
    public static readonly TimeSpan Contended = TimeSpan.FromMicroseconds(20);

    /// <summary>A pause ends after this long even when the core is still wanted.</summary>
    public static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(10);

    /// <summary>What the pacer reads and does to the thread; tests give it a scripted one.</summary>
    internal interface IScheduler
    {
        /// <summary>A monotonic clock in <see cref="Stopwatch"/> ticks.</summary>
        long Now { get; }

        void Sleep(TimeSpan time);

        /// <summary>Offers the core to any thread waiting for it.</summary>
        void Yield();
    }

    private sealed class ThreadScheduler : IScheduler
    {
        public long Now => Stopwatch.GetTimestamp();
        public void Sleep(TimeSpan time) => Thread.Sleep(time);
        public void Yield() => Thread.Yield();
    }

    private static readonly long SliceTicks = Ticks(Slice);
    private static readonly long TurnTicks = Ticks(Turn);
    private static readonly long ContendedTicks = Ticks(Contended);
    private static readonly long LongestPauseTicks = Ticks(LongestPause);

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    private readonly IScheduler _scheduler;
    private long _sliceStart;
    private long _turnStart;

    public QueryPacer() : this(new ThreadScheduler())
    {
    }

    internal QueryPacer(IScheduler scheduler)
    {
        _scheduler = scheduler;
        _sliceStart = _turnStart = scheduler.Now;
    }

    /// <summary>Called between blocks and every few records; one clock read unless a turn or the slice is used up.</summary>
    public void Check()
    {
        long now = _scheduler.Now;
        if (now - _sliceStart >= SliceTicks)
        {
            Pause();
            return;
        }
        if (now - _turnStart < TurnTicks) return;
        if (CoreWanted()) Pause();
        else _turnStart = _scheduler.Now;
    }

    /// <summary>Offers the core; true when someone took it.</summary>
    private bool CoreWanted()
    {
        long before = _scheduler.Now;
        _scheduler.Yield();
        return _scheduler.Now - before >= ContendedTicks;
    }

    private void Pause()
    {
        long start = _scheduler.Now;
        do _scheduler.Sleep(Slice);
        while (_scheduler.Now - start < LongestPauseTicks && CoreWanted());
        _sliceStart = _turnStart = _scheduler.Now;
    }
}
