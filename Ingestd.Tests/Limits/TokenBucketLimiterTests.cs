using Ingestd.Limits;

namespace Ingestd.Tests.Limits;

public class TokenBucketLimiterTests
{
    // 2025-01-01T00:00:00Z, a whole second, so reset times are easy to read.
    private const long T0 = 1_735_689_600_000;

    private sealed class FakeClock(long start = T0)
    {
        public long Now = start;
        public Func<long> Func => () => Volatile.Read(ref Now);
        public void Advance(long ms) => Now += ms;
    }

    [Fact]
    public void New_key_starts_full_and_counts_down()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        for (int i = 1; i <= 5; i++)
        {
            var d = limiter.TryTake("k", 5);
            Assert.True(d.Allowed);
            Assert.Equal(5, d.Limit);
            Assert.Equal(5 - i, d.Remaining);
            Assert.Equal(0, d.RetryAfterSeconds);
        }
    }

    [Fact]
    public void Empty_bucket_refuses_with_retry_after_until_one_token_refills()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        for (int i = 0; i < 120; i++) Assert.True(limiter.TryTake("k", 120).Allowed);

        var refused = limiter.TryTake("k", 120);
        Assert.False(refused.Allowed);
        Assert.Equal(0, refused.Remaining);
        Assert.Equal(1, refused.RetryAfterSeconds); // 120/min: one token every 500 ms, rounded up to a second
    }

    [Fact]
    public void Retry_after_is_rounded_up_to_whole_seconds()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func);
        Assert.True(limiter.TryTake("k", 2).Allowed);
        Assert.True(limiter.TryTake("k", 2).Allowed);
        clock.Advance(1_000); // 2/min: one token per 30 s, 1/30 of it is back

        var refused = limiter.TryTake("k", 2);
        Assert.False(refused.Allowed);
        Assert.Equal(29, refused.RetryAfterSeconds);
    }

    [Fact]
    public void Refused_take_does_not_consume()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func);
        Assert.True(limiter.TryTake("k", 1).Allowed);
        for (int i = 0; i < 10; i++) Assert.False(limiter.TryTake("k", 1).Allowed);
        clock.Advance(60_000);
        Assert.True(limiter.TryTake("k", 1).Allowed);
    }

    [Fact]
    public void Bucket_refills_with_time_at_the_configured_rate()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func);
        for (int i = 0; i < 60; i++) limiter.TryTake("k", 60);
        Assert.False(limiter.TryTake("k", 60).Allowed);

        clock.Advance(999);
        Assert.False(limiter.TryTake("k", 60).Allowed);
        clock.Advance(1);
        var d = limiter.TryTake("k", 60);
        Assert.True(d.Allowed);
        Assert.Equal(0, d.Remaining);

        clock.Advance(10_000);
        Assert.Equal(10, limiter.Peek("k", 60).Remaining);
    }

    [Fact]
    public void Refill_never_exceeds_capacity()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func);
        limiter.TryTake("k", 10);
        clock.Advance(3_600_000);
        Assert.Equal(9, limiter.TryTake("k", 10).Remaining);
    }

    [Fact]
    public void Reset_is_the_unix_second_when_the_bucket_is_full_again()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        var d = limiter.TryTake("k", 120); // one token short: full again in 500 ms, rounded up
        Assert.Equal(T0 / 1000 + 1, d.ResetUnixSeconds);

        for (int i = 0; i < 119; i++) d = limiter.TryTake("k", 120);
        Assert.Equal(0, d.Remaining);
        Assert.Equal(T0 / 1000 + 60, d.ResetUnixSeconds);
    }

    [Fact]
    public void Peek_reports_state_without_taking()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        Assert.Equal(new RateDecision(true, 3, 3, T0 / 1000, 0), limiter.Peek("k", 3));
        limiter.TryTake("k", 3);
        Assert.Equal(2, limiter.Peek("k", 3).Remaining);
        Assert.Equal(2, limiter.Peek("k", 3).Remaining);
    }

    [Fact]
    public void Peek_on_an_empty_bucket_gives_the_refusal_headers()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        limiter.TryTake("k", 1);
        var d = limiter.Peek("k", 1);
        Assert.False(d.Allowed);
        Assert.Equal(0, d.Remaining);
        Assert.Equal(60, d.RetryAfterSeconds);
        Assert.Equal(T0 / 1000 + 60, d.ResetUnixSeconds);
    }

    [Fact]
    public void Separate_keys_have_independent_buckets()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        for (int i = 0; i < 3; i++) limiter.TryTake("a", 3);
        Assert.False(limiter.TryTake("a", 3).Allowed);

        var other = limiter.TryTake("b", 3);
        Assert.True(other.Allowed);
        Assert.Equal(2, other.Remaining);
    }

    [Fact]
    public void Lower_rate_after_reload_clamps_tokens_to_the_new_capacity()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        limiter.TryTake("k", 120);
        var d = limiter.TryTake("k", 10);
        Assert.Equal(10, d.Limit);
        Assert.Equal(9, d.Remaining);
    }

    [Fact]
    public void Higher_rate_after_reload_keeps_tokens_and_refills_at_the_new_rate()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func);
        limiter.TryTake("k", 2);
        limiter.TryTake("k", 2);
        Assert.Equal(0, limiter.Peek("k", 120).Remaining);
        clock.Advance(1_000);
        Assert.Equal(2, limiter.Peek("k", 120).Remaining);
    }

    [Fact]
    public void Forget_gives_the_key_a_full_bucket()
    {
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        limiter.TryTake("k", 1);
        Assert.False(limiter.TryTake("k", 1).Allowed);
        limiter.Forget("k");
        Assert.Equal(0, limiter.BucketCount);
        Assert.True(limiter.TryTake("k", 1).Allowed);
    }

    [Fact]
    public void Clock_stepping_back_neither_refills_nor_breaks_the_bucket()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func);
        limiter.TryTake("k", 1);
        clock.Advance(-30_000);
        Assert.False(limiter.TryTake("k", 1).Allowed);
        clock.Advance(90_000); // one minute after the take
        Assert.True(limiter.TryTake("k", 1).Allowed);
    }

    [Fact]
    public void Idle_buckets_are_evicted_when_the_dictionary_grows_past_the_bound()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func, evictAbove: 100);
        for (int i = 0; i < 100; i++) limiter.TryTake("old" + i, 10);
        clock.Advance(10 * 60_000 + 1);
        limiter.TryTake("recent", 10);
        Assert.Equal(1, limiter.BucketCount);
        Assert.Equal(9, limiter.Peek("recent", 10).Remaining);
    }

    [Fact]
    public void Recently_used_buckets_survive_eviction()
    {
        var clock = new FakeClock();
        var limiter = new TokenBucketLimiter(clock.Func, evictAbove: 10);
        for (int i = 0; i < 10; i++) limiter.TryTake("k" + i, 10);
        clock.Advance(60_000);
        limiter.TryTake("k11", 10);
        Assert.Equal(11, limiter.BucketCount);
    }

    [Fact]
    public void Concurrent_takes_never_exceed_capacity()
    {
        const int Capacity = 1_000;
        var limiter = new TokenBucketLimiter(new FakeClock().Func);
        int allowed = 0;
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int i = 0; i < 500; i++)
            {
                if (limiter.TryTake("shared", Capacity).Allowed) Interlocked.Increment(ref allowed);
            }
        });
        Assert.Equal(Capacity, allowed);
    }

    [Fact]
    public void Concurrent_first_takes_of_a_new_key_share_one_bucket()
    {
        for (int round = 0; round < 50; round++)
        {
            var limiter = new TokenBucketLimiter(new FakeClock().Func);
            int allowed = 0;
            Parallel.For(0, 16, _ =>
            {
                if (limiter.TryTake("fresh", 4).Allowed) Interlocked.Increment(ref allowed);
            });
            Assert.Equal(4, allowed);
        }
    }
}
