using System.Diagnostics;
using Ingestd.Query;

namespace Ingestd.Tests.Query;

/// <summary>How a scan inside the daemon shares the core with ingest, on a scripted clock and scheduler.</summary>
public class QueryPacerTests
{
    /// <summary>
    /// A core that another thread (ingest) wants until <see cref="BusyUntil"/>: a yield before then hands it the core
    /// for up to half a millisecond; after it, a yield comes straight back.
    /// </summary>
    private sealed class ScriptedCore : QueryPacer.IScheduler
    {
        private static readonly long Quantum = Ticks(TimeSpan.FromMicroseconds(500));
        private static readonly long EmptyYield = Ticks(TimeSpan.FromMicroseconds(2));

        public long Now { get; private set; } = 1_000_000;
        public long BusyUntil = long.MinValue;
        public int Yields;
        public TimeSpan Slept;

        public void Sleep(TimeSpan time)
        {
            Now += Ticks(time);
            Slept += time;
        }

        public void Yield()
        {
            Yields++;
            Now += Now < BusyUntil ? Math.Min(Quantum, BusyUntil - Now) : EmptyYield;
        }

        public void Run(TimeSpan time) => Now += Ticks(time);

        public void BusyFor(TimeSpan time) => BusyUntil = Now + Ticks(time);

        public static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);
    }

    [Fact]
    public void Within_a_turn_a_check_neither_yields_nor_sleeps()
    {
        var core = new ScriptedCore();
        var pacer = new QueryPacer(core);
        core.Run(TimeSpan.FromMicroseconds(60));
        pacer.Check();
        Assert.Equal(0, core.Yields);
        Assert.Equal(TimeSpan.Zero, core.Slept);
    }

    [Fact]
    public void After_a_turn_the_core_is_offered_and_the_scan_goes_on_when_no_one_takes_it()
    {
        var core = new ScriptedCore();
        var pacer = new QueryPacer(core);
        core.Run(QueryPacer.Turn);
        pacer.Check();
        Assert.Equal(1, core.Yields);
        Assert.Equal(TimeSpan.Zero, core.Slept);
    }

    [Fact]
    public void A_scan_that_finds_the_core_wanted_pauses_until_an_offer_finds_it_free()
    {
        var core = new ScriptedCore();
        var pacer = new QueryPacer(core);
        core.Run(QueryPacer.Turn);
        core.BusyFor(TimeSpan.FromMilliseconds(4.2));
        pacer.Check();
        Assert.True(core.Now >= core.BusyUntil, "the scan went on while the core was still wanted");
        Assert.InRange(core.Slept, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public void A_pause_ends_after_the_longest_pause_even_when_the_core_stays_wanted()
    {
        var core = new ScriptedCore();
        var pacer = new QueryPacer(core);
        core.Run(QueryPacer.Turn);
        core.BusyUntil = long.MaxValue;
        long start = core.Now;
        pacer.Check();
        var paused = TimeSpan.FromSeconds((core.Now - start) / (double)Stopwatch.Frequency);
        Assert.InRange(paused, QueryPacer.LongestPause, QueryPacer.LongestPause * 1.5);
    }

    [Fact]
    public void A_scan_on_a_free_core_pauses_one_slice_after_a_slice_of_running()
    {
        var core = new ScriptedCore();
        var pacer = new QueryPacer(core);
        for (int i = 0; i < 30; i++) // 1.5 ms of work, checked every 50 µs
        {
            core.Run(TimeSpan.FromMicroseconds(50));
            pacer.Check();
        }
        Assert.Equal(QueryPacer.Slice, core.Slept);
    }

    [Fact]
    public void The_turn_starts_again_after_an_offer_no_one_took()
    {
        var core = new ScriptedCore();
        var pacer = new QueryPacer(core);
        core.Run(QueryPacer.Turn);
        pacer.Check();
        core.Run(TimeSpan.FromMicroseconds(60));
        pacer.Check();
        Assert.Equal(1, core.Yields);
    }
}
