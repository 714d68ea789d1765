using System.Buffers.Binary;
using Ingestd.Ring;

namespace Ingestd.Tests.Ring;

public class EventRingTests
{
    private static byte[] Payload(int length, byte fill)
    {
        var b = new byte[length];
        b.AsSpan().Fill(fill);
        return b;
    }

    [Fact]
    public void Published_batches_are_read_back_in_order_with_their_counts()
    {
        var ring = new EventRing(4096);
        Assert.True(ring.TryPublish(Payload(100, 1), 3, 10, 20, out long end1));
        Assert.True(ring.TryPublish(Payload(50, 2), 1, 5, 5, out long end2));

        Assert.True(ring.TryRead(out var r1, out int c1, out long min1, out long max1, out long e1));
        Assert.Equal(100, r1.Length);
        Assert.Equal(1, r1[0]);
        Assert.Equal((3, 10L, 20L, end1), (c1, min1, max1, e1));
        Assert.True(ring.TryRead(out var r2, out int c2, out _, out _, out long e2));
        Assert.Equal(50, r2.Length);
        Assert.Equal((1, end2), (c2, e2));
        Assert.False(ring.TryRead(out _, out _, out _, out _, out _));
    }

    [Fact]
    public void Publish_fails_without_side_effects_when_the_ring_is_full()
    {
        var ring = new EventRing(4096);
        int published = 0;
        while (ring.TryPublish(Payload(900, 7), 1, 0, 0, out _)) published++;
        Assert.True(published >= 3);
        long fill = ring.Fill;
        Assert.False(ring.TryPublish(Payload(900, 7), 1, 0, 0, out _));
        Assert.Equal(fill, ring.Fill);

        for (int i = 0; i < published; i++) Assert.True(ring.TryRead(out _, out _, out _, out _, out _));
        Assert.False(ring.TryRead(out _, out _, out _, out _, out _));
    }

    [Fact]
    public void Space_returns_to_producers_only_after_release()
    {
        var ring = new EventRing(4096);
        while (ring.TryPublish(Payload(900, 7), 1, 0, 0, out _)) { }
        while (ring.TryRead(out _, out _, out _, out _, out _)) { }
        Assert.False(ring.TryPublish(Payload(900, 7), 1, 0, 0, out _));
        ring.Release();
        Assert.True(ring.TryPublish(Payload(900, 7), 1, 0, 0, out _));
    }

    [Fact]
    public void Batches_wrap_around_the_end_of_the_buffer_intact()
    {
        var ring = new EventRing(4096);
        for (int round = 0; round < 50; round++)
        {
            byte fill = (byte)round;
            int length = 300 + round * 37 % 700;
            Assert.True(ring.TryPublish(Payload(length, fill), 1, round, round, out _));
            Assert.True(ring.TryRead(out var records, out _, out long min, out _, out _));
            Assert.Equal(length, records.Length);
            Assert.Equal(round, min);
            Assert.True(records.IndexOfAnyExcept(fill) < 0);
            ring.Release();
        }
    }

    [Fact]
    public void A_batch_larger_than_half_the_ring_is_refused()
    {
        var ring = new EventRing(4096);
        Assert.Throws<ArgumentException>(() => ring.TryPublish(Payload(3000, 1), 1, 0, 0, out _));
    }

    [Fact]
    public void Concurrent_producers_lose_and_duplicate_nothing()
    {
        var ring = new EventRing(1 << 16);
        const int producers = 4, perProducer = 5000;
        var seen = new int[producers * perProducer];
        var threads = new Thread[producers];
        for (int p = 0; p < producers; p++)
        {
            int id = p;
            threads[p] = new Thread(() =>
            {
                var buf = new byte[8 + id * 8];
                for (int i = 0; i < perProducer; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(buf, id * perProducer + i);
                    while (!ring.TryPublish(buf, 1, 0, 0, out _)) Thread.Yield();
                }
            });
            threads[p].Start();
        }
        int read = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (read < seen.Length && DateTime.UtcNow < deadline)
        {
            if (ring.TryRead(out var records, out _, out _, out _, out _))
            {
                seen[BinaryPrimitives.ReadInt32LittleEndian(records)]++;
                read++;
                ring.Release();
            }
        }
        foreach (var t in threads) t.Join();
        Assert.Equal(seen.Length, read);
        Assert.All(seen, n => Assert.Equal(1, n));
    }
}
