using System.Diagnostics;

namespace Ingestd.Bench.Load;

/// <summary>
/// The run's clock, in <see cref="Stopwatch"/> ticks, shared read-only by all connections:
/// sending starts at <see cref="StartTicks"/>, counting at <see cref="MeasureStartTicks"/> (after
/// the warm-up), and no request starts at or after <see cref="EndTicks"/>.
/// </summary>
internal sealed class LoadWindow
{
    public LoadWindow(long startTicks, TimeSpan warmup, TimeSpan duration, double? rate, int connections, TimeSpan? slice = null)
    {
        if (slice is { } length && length > TimeSpan.Zero)
        {
            SliceTicks = ToTicks(length);
            SliceCount = (int)Math.Max(1, (ToTicks(duration) + SliceTicks - 1) / SliceTicks);
        }
        StartTicks = startTicks;
        MeasureStartTicks = startTicks + ToTicks(warmup);
        EndTicks = MeasureStartTicks + ToTicks(duration);
        if (rate is double r)
        {
            // Each connection sends rate/connections requests per second; connection i is offset by
            // i/rate seconds so that together they send evenly rather than in bursts of N.
            Paced = true;
            IntervalTicks = connections * (double)Stopwatch.Frequency / r;
            PhaseTicks = Stopwatch.Frequency / r;
        }
    }

    public long StartTicks { get; }
    public long MeasureStartTicks { get; }
    public long EndTicks { get; }

    /// <summary>Length of a slice of the measured window; 0 = no slices.</summary>
    public long SliceTicks { get; }
    public int SliceCount { get; }

    /// <summary>The slice a request answered at <paramref name="ticks"/> is counted in (answers after the end go to the last).</summary>
    public int SliceOf(long ticks) => (int)Math.Clamp((ticks - MeasureStartTicks) / SliceTicks, 0, SliceCount - 1);

    /// <summary>Open model (a <c>--rate</c>): each connection follows a schedule of intended send times.</summary>
    public bool Paced { get; }

    /// <summary>Time between one connection's intended sends.</summary>
    public double IntervalTicks { get; }

    /// <summary>Offset between consecutive connections' schedules.</summary>
    public double PhaseTicks { get; }

    public static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    public static double TicksToNs(long ticks) => ticks * (1e9 / Stopwatch.Frequency);
}
