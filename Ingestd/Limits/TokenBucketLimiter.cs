using System.Collections.Concurrent;

namespace Ingestd.Limits;

/// <summary>
/// Per-key token buckets (Guardian: "120 requests per minute per API key, token bucket"). A bucket holds up to
/// <c>perMinute</c> tokens, starts full and refills continuously at <c>perMinute</c> tokens per 60 s.
/// </summary>
/// <remarks>
/// Tokens are kept as an integer count of 1/60000 token ("units"): one millisecond adds exactly <c>perMinute</c>
/// units and one token is 60000 units, so refills are exact and never drift the way a double would.
/// Each bucket has its own lock (held for a few arithmetic operations); lookups go through a ConcurrentDictionary,
/// so different keys never contend.
/// </remarks>
internal sealed class TokenBucketLimiter
{
    private const long UnitsPerToken = 60_000; // = milliseconds per minute
    private const long FullRefillMs = 60_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Func<long> _nowUnixMs;
    private readonly int _evictAbove;
    private readonly long _idleMs;
    private int _count;
    private int _sweepAt;
    private int _sweeping;

    /// <param name="nowUnixMs">Clock in Unix milliseconds (tests inject one).</param>
    /// <param name="evictAbove">Past this many buckets, a take sweeps out buckets idle for more than <paramref name="idleMs"/>.</param>
    /// <param name="idleMs">Idle time after which a bucket may be dropped. Must be at least a minute, so that a dropped bucket
    /// was full anyway and dropping it is invisible to its key.</param>
    public TokenBucketLimiter(Func<long>? nowUnixMs = null, int evictAbove = 10_000, long idleMs = 10 * 60_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(idleMs, FullRefillMs);
        _nowUnixMs = nowUnixMs ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _evictAbove = evictAbove;
        _idleMs = idleMs;
        _sweepAt = evictAbove;
    }

    /// <summary>Buckets currently held (for tests and metrics).</summary>
    public int BucketCount => Volatile.Read(ref _count);

    /// <summary>Takes one token from <paramref name="key"/>'s bucket if it has one.</summary>
    public RateDecision TryTake(string key, int perMinute)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        long now = _nowUnixMs();
        while (true)
        {
            var bucket = GetOrCreate(key, perMinute, now);
            lock (bucket)
            {
                // Swept or forgotten between lookup and lock: use the bucket that replaces it.
                if (bucket.Dead) continue;
                bucket.Refill(now, perMinute);
                bool allowed = bucket.Units >= UnitsPerToken;
                if (allowed) bucket.Units -= UnitsPerToken;
                return bucket.Decide(allowed, now);
            }
        }
    }

    /// <summary>The state of <paramref name="key"/>'s bucket without taking a token (e.g. headers of a refused request).
    /// <c>Allowed</c> says whether a take would succeed now.</summary>
    public RateDecision Peek(string key, int perMinute)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        long now = _nowUnixMs();
        if (!_buckets.TryGetValue(key, out var bucket)) return Bucket.Full(perMinute, now);
        lock (bucket)
        {
            if (bucket.Dead) return Bucket.Full(perMinute, now);
            bucket.Refill(now, perMinute);
            return bucket.Decide(bucket.Units >= UnitsPerToken, now);
        }
    }

    /// <summary>Drops <paramref name="key"/>'s bucket; its next request starts with a full one (e.g. after a config reload removed the key).</summary>
    public void Forget(string key)
    {
        if (_buckets.TryRemove(key, out var bucket))
        {
            lock (bucket) bucket.Dead = true;
            Interlocked.Decrement(ref _count);
        }
    }

    private Bucket GetOrCreate(string key, int perMinute, long now)
    {
        if (_buckets.TryGetValue(key, out var bucket)) return bucket;
        var fresh = new Bucket(perMinute, now);
        if (!_buckets.TryAdd(key, fresh))
        {
            return _buckets.TryGetValue(key, out bucket) ? bucket : GetOrCreate(key, perMinute, now);
        }
        if (Interlocked.Increment(ref _count) > Volatile.Read(ref _sweepAt)) Sweep(now);
        return fresh;
    }

    // Only new keys trigger this, one thread at a time. When most buckets are live the next sweep waits until the
    // dictionary has doubled, so sweeping stays amortised O(1) per new key.
    private void Sweep(long now)
    {
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) != 0) return;
        try
        {
            foreach (var pair in _buckets)
            {
                var bucket = pair.Value;
                lock (bucket)
                {
                    if (bucket.Dead || now - bucket.LastMs <= _idleMs) continue;
                    bucket.Dead = true;
                }
                if (_buckets.TryRemove(pair)) Interlocked.Decrement(ref _count);
            }
        }
        finally
        {
            Volatile.Write(ref _sweepAt, Math.Max(_evictAbove, 2 * Volatile.Read(ref _count)));
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed class Bucket(int perMinute, long now)
    {
        public int PerMinute = perMinute;
        public long Units = perMinute * UnitsPerToken;
        public long LastMs = now;
        public bool Dead;

        private long Capacity => PerMinute * UnitsPerToken;

        public void Refill(long now, int perMinute)
        {
            if (perMinute != PerMinute)
            {
                // Config reload changed the rate: the bucket keeps what it has, up to the new capacity.
                PerMinute = perMinute;
                Units = Math.Min(Units, Capacity);
            }
            long elapsed = now - LastMs;
            if (elapsed <= 0) return; // a clock step backwards adds nothing and does not move LastMs back
            LastMs = now;
            // Any gap of a minute or more refills the bucket completely; clamping also rules out overflow.
            Units = elapsed >= FullRefillMs ? Capacity : Math.Min(Capacity, Units + elapsed * PerMinute);
        }

        public RateDecision Decide(bool allowed, long now)
        {
            long msToFull = CeilDiv(Capacity - Units, PerMinute);
            int retryAfter = 0;
            if (!allowed)
            {
                long msToToken = CeilDiv(UnitsPerToken - Units, PerMinute);
                retryAfter = (int)Math.Max(1, CeilDiv(msToToken, 1000));
            }
            return new RateDecision(allowed, PerMinute, (int)(Units / UnitsPerToken), CeilDiv(now + msToFull, 1000), retryAfter);
        }

        public static RateDecision Full(int perMinute, long now)
            => new(true, perMinute, perMinute, CeilDiv(now, 1000), 0);

        private static long CeilDiv(long a, long b) => a <= 0 ? a / b : (a + b - 1) / b;
    }
}
