using System.Diagnostics;
using Ingestd.Storage;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Tests.Storage;

public class BlockReaderTests
{
    private static byte[] Block(int count = 3, long firstSeq = 0)
    {
        using var batch = Fixtures.Batch(count);
        using var codec = new BlockCodec();
        return codec.Encode(batch.Bytes, batch.Count, firstSeq, batch.MinEventNs, batch.MaxEventNs).ToArray();
    }

    /// <summary>Bytes that never contain the block magic (no 'B' at all).</summary>
    private static byte[] Garbage(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes.AsSpan().Replace((byte)'B', (byte)'b');
        return bytes;
    }

    private static SafeFileHandle Open(string path) => File.OpenHandle(path, FileMode.Open, FileAccess.Read);

    private static long Find(string path, long from)
    {
        using var handle = Open(path);
        using var reader = new BlockReader();
        return reader.FindNextBlock(handle, from, RandomAccess.GetLength(handle));
    }

    [Fact]
    public void FindNextBlock_returns_the_first_block_after_garbage()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        File.WriteAllBytes(path, [.. Garbage(1000), .. Block(), .. Block(firstSeq: 3)]);

        Assert.Equal(1000, Find(path, 0));
    }

    [Fact]
    public void FindNextBlock_never_returns_the_offset_it_starts_from()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        var first = Block();
        File.WriteAllBytes(path, [.. first, .. Block(firstSeq: 3)]);

        Assert.Equal(first.Length, Find(path, 0));
    }

    [Fact]
    public void FindNextBlock_passes_over_a_magic_whose_header_does_not_verify()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        var fake = Garbage(200);
        "BLK1"u8.CopyTo(fake.AsSpan(50));
        File.WriteAllBytes(path, [.. Garbage(10), .. fake, .. Block()]);

        Assert.Equal(210, Find(path, 0));
    }

    [Fact]
    public void FindNextBlock_passes_over_a_block_whose_payload_does_not_verify()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        var bad = Block();
        bad[BlockCodec.HeaderSize + 2] ^= 0x5A;
        File.WriteAllBytes(path, [.. Garbage(10), .. bad, .. Block(firstSeq: 3)]);

        Assert.Equal(10 + bad.Length, Find(path, 0));
    }

    [Fact]
    public void FindNextBlock_returns_minus_1_when_only_an_incomplete_block_follows()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        File.WriteAllBytes(path, [.. Garbage(100), .. Block()[..^1]]);

        Assert.Equal(-1, Find(path, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FindNextBlock_finds_a_magic_split_across_two_chunks(int bytesInFirstChunk)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        // The scan starts at from + 1 = 1, so its first chunk ends at offset ScanChunkSize + 1.
        int blockAt = BlockReader.ScanChunkSize + 1 - bytesInFirstChunk;
        File.WriteAllBytes(path, [.. Garbage(blockAt), .. Block()]);

        Assert.Equal(blockAt, Find(path, 0));
    }

    [Fact]
    public void FindNextBlock_scans_256_MiB_in_well_under_a_few_seconds()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        const long size = 256L << 20;
        var block = Block();
        using (var f = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(f, size); // sparse: zeros, no disk space used
            // A magic with a bad header every MiB keeps the candidate check in the measured path.
            for (long at = 4096; at < size - (1 << 20); at += 1 << 20) RandomAccess.Write(f, "BLK1"u8, at);
            RandomAccess.Write(f, block, size);
        }

        var clock = Stopwatch.StartNew();
        long found = Find(path, 0);
        clock.Stop();

        Assert.Equal(size, found);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
