using Ingestd.Parsing.Buffers;

namespace Ingestd.Tests.Buffers;

public class PooledBufferTests
{
    [Fact]
    public void A_buffer_fills_right_up_to_its_cap()
    {
        using var buffer = new PooledBuffer(256) { Cap = 1000 };
        buffer.Write(new byte[1000]);
        Assert.Equal(1000, buffer.Length);
    }

    [Fact]
    public void Asking_for_room_past_a_full_cap_throws_the_buffer_s_own_limit_with_cap_and_size()
    {
        using var buffer = new PooledBuffer(256) { Cap = 1000 };
        while (buffer.Length < 1000) buffer.Advance(Math.Min(buffer.GetSpan(1000 - buffer.Length).Length, 1000 - buffer.Length));
        var e = Assert.Throws<BufferLimitExceededException>(() => buffer.GetSpan(1000));
        Assert.Equal(1000, e.Limit);
        Assert.Equal(2000, e.Size);
        Assert.Equal(1000, buffer.Length);
    }

    [Fact]
    public void Advancing_past_the_cap_throws_the_buffer_s_own_limit()
    {
        using var buffer = new PooledBuffer(2048) { Cap = 1000 };
        buffer.GetSpan(1500);
        var e = Assert.Throws<BufferLimitExceededException>(() => buffer.Advance(1001));
        Assert.Equal(1001, e.Size);
    }
}
