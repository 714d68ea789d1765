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

    // The payload of `block` read back through a file, whole or in pieces (counting the pauses between them).
    private static (BlockStatus Status, byte[] Records, int Pauses) ReadPayload(byte[] block, bool inPieces)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f");
        File.WriteAllBytes(path, block);
        using var handle = Open(path);
        using var reader = new BlockReader();
        Assert.Equal(BlockStatus.Ok, reader.ReadHeader(handle, 0, block.Length, out var header));
        int pauses = 0;
        var status = reader.ReadPayload(handle, 0, header, out var records, inPieces ? () => pauses++ : null);
        return (status, records.ToArray(), pauses);
    }

    // A block with `payload` in place of its own, CRCs made to match, and the header changed as told.
    private static byte[] Rewritten(byte[] block, byte[] payload, Func<BlockHeader, BlockHeader>? change = null)
    {
        Assert.Equal(BlockStatus.Ok, BlockCodec.ReadHeader(block, out var header));
        header = header with { PayloadLength = payload.Length, PayloadCrc = Crc32C.Compute(payload) };
        var result = new byte[BlockCodec.HeaderSize + payload.Length];
        BlockCodec.WriteHeader(result, change?.Invoke(header) ?? header);
        payload.CopyTo(result.AsSpan(BlockCodec.HeaderSize));
        return result;
    }

    [Fact]
    public void A_payload_read_in_pieces_gives_the_records_of_one_read_whole_with_pauses_between_the_pieces()
    {
        var block = Block(count: 5000);
        Assert.True(block.Length > 2 * BlockCodec.PieceBytes);

        var whole = ReadPayload(block, inPieces: false);
        var pieces = ReadPayload(block, inPieces: true);

        Assert.Equal(BlockStatus.Ok, whole.Status);
        Assert.Equal(BlockStatus.Ok, pieces.Status);
        Assert.Equal(whole.Records, pieces.Records);
        Assert.True(pieces.Pauses >= 2, $"{pieces.Pauses} pauses");
    }

    [Theory]
    [InlineData("payload byte flipped")]
    [InlineData("payload byte flipped, CRC matching")]
    [InlineData("payload cut short, CRC matching")]
    [InlineData("raw length one short")]
    [InlineData("raw length one long")]
    [InlineData("count one more")]
    public void A_bad_payload_read_in_pieces_gets_the_status_of_one_read_whole(string damage)
    {
        var block = Block(count: 2000);
        var payload = block[BlockCodec.HeaderSize..];
        var flipped = payload.ToArray();
        flipped[flipped.Length / 2] ^= 0x5A;
        var bad = damage switch
        {
            "payload byte flipped" => [.. block[..BlockCodec.HeaderSize], .. flipped],
            "payload byte flipped, CRC matching" => FlippedWhereZstdNotices(block),
            "payload cut short, CRC matching" => Rewritten(block, payload[..^64]),
            "raw length one short" => Rewritten(block, payload, h => h with { RawLength = h.RawLength - 1 }),
            "raw length one long" => Rewritten(block, payload, h => h with { RawLength = h.RawLength + 1 }),
            _ => Rewritten(block, payload, h => h with { Count = h.Count + 1 }),
        };

        var whole = ReadPayload(bad, inPieces: false);
        var pieces = ReadPayload(bad, inPieces: true);

        Assert.NotEqual(BlockStatus.Ok, whole.Status);
        Assert.Equal(whole.Status, pieces.Status);
    }

    // With the CRC rewritten to match, only zstd can notice a flipped byte, and a flip inside a literal it cannot:
    // the first byte from the middle on whose flip a whole read refuses.
    private static byte[] FlippedWhereZstdNotices(byte[] block)
    {
        var payload = block[BlockCodec.HeaderSize..];
        for (int at = payload.Length / 2; at < payload.Length; at++)
        {
            var flipped = payload.ToArray();
            flipped[at] ^= 0x5A;
            var bad = Rewritten(block, flipped);
            if (ReadPayload(bad, inPieces: false).Status != BlockStatus.Ok) return bad;
        }
        throw new InvalidOperationException("no flip zstd notices");
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
