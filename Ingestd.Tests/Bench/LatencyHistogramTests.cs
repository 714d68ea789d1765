using Ingestd.Bench.Load;

namespace Ingestd.Tests.Bench;

/// <summary>The generator's log-linear histogram: about 1 % precision, exact counts, mergeable.</summary>
public class LatencyHistogramTests
{
    [Theory]
    [InlineData(50.0, 50_000)]
    [InlineData(90.0, 90_000)]
    [InlineData(99.0, 99_000)]
    [InlineData(99.9, 99_900)]
    [InlineData(100.0, 100_000)]
    public void Percentiles_of_a_uniform_distribution_are_within_one_percent(double percentile, long expectedUs)
    {
        var h = new LatencyHistogram();
        for (long us = 1; us <= 100_000; us++) h.Record(us * 1000);

        long value = h.ValueAtPercentileNs(percentile);
        Assert.InRange(value, expectedUs * 1000, expectedUs * 1000 * 1.01);
    }

    [Fact]
    public void Count_max_and_mean_are_exact()
    {
        var h = new LatencyHistogram();
        for (long us = 1; us <= 100_000; us++) h.Record(us * 1000);

        Assert.Equal(100_000, h.TotalCount);
        Assert.Equal(100_000_000, h.MaxNs);
        Assert.Equal(1_000, h.MinNs);
        Assert.Equal(50_000_500.0, h.MeanNs, 3);
    }

    [Fact]
    public void A_rare_stall_shows_in_the_tail_only()
    {
        var h = new LatencyHistogram();
        for (int i = 0; i < 9_990; i++) h.Record(2_000_000);   // 2 ms
        for (int i = 0; i < 10; i++) h.Record(3_000_000_000); // 3 s

        Assert.InRange(h.ValueAtPercentileNs(99.9), 2_000_000, 2_020_000);
        Assert.InRange(h.ValueAtPercentileNs(99.91), 3_000_000_000, 3_000_000_000);
    }

    [Fact]
    public void Merged_histograms_equal_one_that_saw_everything()
    {
        var all = new LatencyHistogram();
        var even = new LatencyHistogram();
        var odd = new LatencyHistogram();
        for (long v = 1; v <= 50_000; v++)
        {
            long ns = v * 7_919;
            all.Record(ns);
            (v % 2 == 0 ? even : odd).Record(ns);
        }
        even.Add(odd);

        Assert.Equal(all.TotalCount, even.TotalCount);
        Assert.Equal(all.MaxNs, even.MaxNs);
        Assert.Equal(all.MeanNs, even.MeanNs, 6);
        foreach (double p in new[] { 1.0, 25, 50, 75, 90, 99, 99.9, 99.99 })
            Assert.Equal(all.ValueAtPercentileNs(p), even.ValueAtPercentileNs(p));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(255L)]
    [InlineData(256L)]
    [InlineData(1_000L)]
    [InlineData(123_456_789L)]
    [InlineData(60_000_000_000L)]
    public void Each_value_falls_in_a_bucket_at_most_one_128th_wide(long ns)
    {
        int index = LatencyHistogram.IndexOf(ns);
        long low = LatencyHistogram.LowestEquivalentNs(index), high = LatencyHistogram.HighestEquivalentNs(index);

        Assert.InRange(ns, low, high);
        Assert.True(high - low + 1 <= Math.Max(1, ns / 128.0), $"bucket [{low}, {high}] too wide for {ns}");
    }

    [Fact]
    public void Values_beyond_the_range_are_clamped_not_lost()
    {
        var h = new LatencyHistogram();
        h.Record(long.MaxValue);
        h.Record(-5);

        Assert.Equal(2, h.TotalCount);
        Assert.Equal(LatencyHistogram.HighestTrackableNs, h.MaxNs);
        Assert.Equal(0, h.MinNs);
    }

    [Fact]
    public void An_empty_histogram_reports_zeros()
    {
        var h = new LatencyHistogram();

        Assert.Equal(0, h.ValueAtPercentileNs(99));
        Assert.Equal(0, h.MaxNs);
        Assert.Equal(0, h.MeanNs);
    }
}
