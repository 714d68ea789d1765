using System.Diagnostics;

namespace Ingestd.Query;

/// <summary>
/// Keeps a scan inside the daemon to half of its thread's time: after each slice of running it sleeps about as long.
/// A scan is CPU work without waits, and the kernel shares a core fairly between it and the ingest threads, which on a
/// core of their own already run a third of the time at 300 k events/s: measured, an unpaced scan loop took the core
/// and moved the ingest p99 from a few ms to hundreds (the benchmarks' README, "queries during ingest"). With the
/// pause, ingest finds the core free at least every slice. The same idea as PostgreSQL's cost-based vacuum delay. The
/// price: a query does half the work per second of <c>limits.query_max_time</c>. <c>ingestd query</c> runs unpaced.
/// One instance per scan (not thread-safe).
/// </summary>
internal sealed class QueryPacer
{
    /// <summary>Running time between two pauses; a pause lasts as long (one millisecond is the sleep's granularity).</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(1);

    private static readonly long SliceTicks = (long)(Slice.TotalSeconds * Stopwatch.Frequency);

    private long _sliceStart = Stopwatch.GetTimestamp();

    /// <summary>Called between blocks: pauses once the current slice is used up.</summary>
    public void Check()
    {
        if (Stopwatch.GetTimestamp() - _sliceStart < SliceTicks) return;
        Thread.Sleep(Slice);
        _sliceStart = Stopwatch.GetTimestamp();
    }
}
