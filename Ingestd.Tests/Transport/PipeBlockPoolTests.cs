using Ingestd.Transport;

namespace Ingestd.Tests.Transport;

/// <summary>The input pipes' block pool: returned blocks serve the next rentals, within a cap, once per rental.</summary>
public class PipeBlockPoolTests
{
    [Fact]
    public void A_returned_block_serves_the_next_rental()
    {
        var pool = new PipeBlockPool();
        var first = pool.Rent(PipeBlockPool.BlockSize);
        var memory = first.Memory;
        first.Dispose();
        var second = pool.Rent(1);
        Assert.True(second.Memory.Span == memory.Span);
        Assert.Equal(0, pool.Kept);
    }

    [Fact]
    public void Blocks_are_16_KiB()
    {
        var pool = new PipeBlockPool();
        using var block = pool.Rent();
        Assert.Equal(PipeBlockPool.BlockSize, block.Memory.Length);
        Assert.Equal(PipeBlockPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void Disposing_a_block_twice_returns_it_once()
    {
        var pool = new PipeBlockPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        Assert.Equal(1, pool.Kept);
        var a = pool.Rent();
        var b = pool.Rent();
        Assert.False(a.Memory.Span == b.Memory.Span);
    }

    [Fact]
    public void No_more_than_the_cap_is_kept()
    {
        var pool = new PipeBlockPool();
        var blocks = Enumerable.Range(0, PipeBlockPool.MaxKept + 10).Select(_ => pool.Rent()).ToList();
        foreach (var block in blocks) block.Dispose();
        Assert.Equal(PipeBlockPool.MaxKept, pool.Kept);
    }

    [Fact]
    public void Renting_more_than_a_block_is_refused()
    {
        var pool = new PipeBlockPool();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(PipeBlockPool.BlockSize + 1));
    }
}
