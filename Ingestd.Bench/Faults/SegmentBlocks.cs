using System.Buffers.Binary;

namespace Ingestd.Bench.Faults;

/// <summary>
/// The block layout of one segment file, read by walking the block headers as Ingestd/Storage/FORMAT.md
/// describes them (32-byte file header, then 52-byte block headers with the payload length at offset 4, the
/// record count at 12 and the first sequence at 16). Deliberately not the daemon's code: the judge finds the
/// places to corrupt on its own. Used on a clean file only (the daemon killed after the load stopped).
/// </summary>
internal static class SegmentBlocks
{
    public const int FileHeaderSize = 32;
    public const int BlockHeaderSize = 52;

    public readonly record struct Block(long Offset, int PayloadLength, long FirstSequence, int Count)
    {
        public long PayloadOffset => Offset + BlockHeaderSize;
        public long NextOffset => Offset + BlockHeaderSize + PayloadLength;
    }

    public static List<Block> Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        var blocks = new List<Block>();
        long offset = FileHeaderSize;
        while (offset + BlockHeaderSize <= file.Length)
        {
            var header = file.AsSpan((int)offset, BlockHeaderSize);
            if (!header[..4].SequenceEqual("BLK1"u8)) break;
            int payload = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
            long first = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
            var block = new Block(offset, payload, first, count);
            if (block.NextOffset > file.Length) break;
            blocks.Add(block);
            offset = block.NextOffset;
        }
        return blocks;
    }

    /// <summary>Flips one bit of the byte at <paramref name="offset"/>, in place.</summary>
    public static void FlipBit(string path, long offset, int bit = 4)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        Span<byte> one = stackalloc byte[1];
        if (RandomAccess.Read(handle, one, offset) != 1) throw new InvalidOperationException($"{path}: nothing at offset {offset}");
        one[0] ^= (byte)(1 << bit);
        RandomAccess.Write(handle, one, offset);
    }
}
