using System.Numerics;

namespace Ingestd.Bench.Load;

/// <summary>
/// A log-linear latency histogram in nanoseconds, in the manner of HdrHistogram: each power of two
/// is split into 128 equal buckets, so a bucket is at most 1/128 (≈ 0.8 %) of its values wide.
/// Values below 256 ns are exact; values above ~18 minutes are clamped. Recording is one index
/// computation and an increment (no allocation); histograms of several connections merge by adding.
/// Not thread-safe: each connection owns one and they are merged after the run.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;      // 128 per power of two
    private const int MaxShift = 33;                        // top value ≈ 2^41 ns ≈ 36 minutes
    public const long HighestTrackableNs = ((2L * SubBuckets) << MaxShift) - 1;

    private readonly long[] _counts = new long[(MaxShift + 2) * SubBuckets];
    private long _max;
    private long _min = long.MaxValue;
    private double _sumNs;

    public long TotalCount { get; private set; }

    public long MaxNs => TotalCount == 0 ? 0 : _max;

    public long MinNs => TotalCount == 0 ? 0 : _min;

    public double MeanNs => TotalCount == 0 ? 0 : _sumNs / TotalCount;

    public void Record(long valueNs)
    {
        if (valueNs < 0) valueNs = 0;
        if (valueNs > HighestTrackableNs) valueNs = HighestTrackableNs;
        _counts[IndexOf(valueNs)]++;
        TotalCount++;
        _sumNs += valueNs;
        if (valueNs > _max) _max = valueNs;
        if (valueNs < _min) _min = valueNs;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        TotalCount += other.TotalCount;
        _sumNs += other._sumNs;
        if (other.TotalCount > 0)
        {
            if (other._max > _max) _max = other._max;
            if (other._min < _min) _min = other._min;
        }
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> % of the recorded values fall,
    /// reported as the highest value of its bucket (never above the recorded maximum), so it
    /// errs high by at most one bucket width, as HdrHistogram does.
    /// </summary>
    public long ValueAtPercentileNs(double percentile)
    {
        if (TotalCount == 0) return 0;
        percentile = Math.Clamp(percentile, 0, 100);
        // The rank of the value; the relative nudge keeps 99.9 % of 10,000 at 9,990 despite 99.9 having no exact binary form.
        double rank = percentile / 100.0 * TotalCount;
        long target = Math.Max(1, (long)Math.Ceiling(rank - rank * 1e-12));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target) return Math.Min(HighestEquivalentNs(i), _max);
        }
        return _max;
    }

    /// <summary>
    /// Below 2·128 the index is the value itself; above, the value's top 8 significant bits
    /// (128..255) pick the bucket within its power of two and the shift picks the power.
    /// </summary>
    internal static int IndexOf(long valueNs)
    {
        if (valueNs < 2 * SubBuckets) return (int)valueNs;
        int msb = 63 - BitOperations.LeadingZeroCount((ulong)valueNs);
        int shift = msb - SubBucketBits;
        return (shift << SubBucketBits) + (int)(valueNs >> shift);
    }

    internal static long LowestEquivalentNs(int index)
    {
        if (index < 2 * SubBuckets) return index;
        int shift = (index >> SubBucketBits) - 1;
        long sub = index - (shift << SubBucketBits);
        return sub << shift;
    }

    internal static long HighestEquivalentNs(int index)
    {
        if (index < 2 * SubBuckets) return index;
        int shift = (index >> SubBucketBits) - 1;
        long sub = index - (shift << SubBucketBits);
        return ((sub + 1) << shift) - 1;
    }
}
