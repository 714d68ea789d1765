using Ingestd.Parsing.Buffers;

namespace Ingestd.Tests.Buffers;

public class LargeBufferPoolTests
{
    [Fact]
    public void A_returned_array_is_handed_out_again()
    {
        var pool = new LargeBufferPool(slots: 4, maxArrayBytes: 1 << 20);
        var first = pool.Rent(100_000);
        pool.Return(first);
        Assert.Same(first, pool.Rent(50_000));
    }

    [Fact]
    public void A_retained_array_too_small_for_the_request_is_not_used()
    {
        var pool = new LargeBufferPool(slots: 4, maxArrayBytes: 1 << 20);
        var small = pool.Rent(70_000);
        pool.Return(small);
        var big = pool.Rent(500_000);
        Assert.NotSame(small, big);
        Assert.True(big.Length >= 500_000);
        Assert.Same(small, pool.Rent(10));
    }

    [Fact]
    public void Oversized_arrays_and_arrays_beyond_the_slots_are_dropped()
    {
        var pool = new LargeBufferPool(slots: 1, maxArrayBytes: 100_000);
        var huge = pool.Rent(200_000);
        pool.Return(huge);
        Assert.NotSame(huge, pool.Rent(200_000));

        var a = pool.Rent(1000);
        var b = pool.Rent(1000);
        pool.Return(a);
        pool.Return(b); // no slot left
        Assert.Same(a, pool.Rent(1000));
        Assert.NotSame(b, pool.Rent(1000));
    }

    [Fact]
    public void A_pool_backed_buffer_takes_an_array_only_while_in_use()
    {
        var pool = new LargeBufferPool(slots: 2, maxArrayBytes: 1 << 20);
        using var buffer = new PooledBuffer(pool);
        Assert.Equal(0, buffer.Capacity);
        buffer.Write(new byte[100_000]);
        var held = buffer.Capacity;
        Assert.True(held >= 100_000);
        buffer.Release();
        Assert.Equal(0, buffer.Capacity);
        Assert.Equal(held, pool.Rent(1).Length);
    }

    [Fact]
    public void Concurrent_rent_and_return_never_hand_one_array_to_two_renters()
    {
        var pool = new LargeBufferPool(slots: 8, maxArrayBytes: 1 << 20);
        var inUse = new System.Collections.Concurrent.ConcurrentDictionary<byte[], bool>(ReferenceEqualityComparer.Instance);
        int conflicts = 0;
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                var a = pool.Rent(65_536);
                if (!inUse.TryAdd(a, true)) Interlocked.Increment(ref conflicts);
                inUse.TryRemove(a, out bool _);
                pool.Return(a);
            }
        });
        Assert.Equal(0, conflicts);
    }
}
