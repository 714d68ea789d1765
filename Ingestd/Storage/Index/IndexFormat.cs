using System.Buffers.Binary;

namespace Ingestd.Storage.Index;

/// <summary>
/// Constants of the per-segment block index file, version 1 (FORMAT.md, "Block index"): the one place they live.
/// <code>
/// header (64 bytes)
///  0  8   magic "INGIDX01"
///  8  u16 version = 1
/// 10  u16 header size = 64
/// 12  u32 block count
/// 16  u64 segment length the index covers (the closed segment's size)
/// 24  u64 segment first sequence (= the segment file name)
/// 32  i64 segment creation time (from the segment's file header)
/// 40  u32 entries length in bytes
/// 44  20  zero
/// 64      entries, back to back
/// end u32 CRC-32C of every byte before it
/// </code>
/// </summary>
internal static class IndexFormat
{
    public const string Extension = ".idx";
    public static ReadOnlySpan<byte> Magic => "INGIDX01"u8;
    public const ushort Version = 1;
    public const int HeaderSize = 64;
    public const int TrailerSize = sizeof(uint);

    /// <summary>
    /// An entry's fixed part: offset u64, first sequence u64, count u32, block length u32, min and max event time i64,
    /// dialect bits u64, kind bits u32, zero u32. Four value sets follow: tenant, service, level, stream.
    /// </summary>
    public const int EntryFixedSize = 56;

    /// <summary>Value sets per entry, in this order.</summary>
    public const int SetCount = 4;
    public const int TenantSet = 0, ServiceSet = 1, LevelSet = 2, StreamSet = 3;

    /// <summary>Set kinds: an exact list of value hashes, or a Bloom filter once a block holds more distinct values.</summary>
    public const byte SetExact = 0, SetBloom = 1;

    /// <summary>
    /// Up to this many distinct values a set is exact (2 + 8·n bytes, no false positive short of a 64-bit hash
    /// collision); past it, a Bloom filter of <see cref="BloomBits"/> bits (2 + 256 bytes).
    /// </summary>
    public const int ExactMax = 16;
    public const int BloomBits = 2048;
    public const int BloomWords = BloomBits / 64;
    public const int BloomBytes = BloomBits / 8;
    public const int BloomHashes = 3;

    /// <summary>Dialect and kind values are recorded as bits; a value past the last bit shares the last bit.</summary>
    public const int DialectBitMax = 63, KindBitMax = 31;

    /// <summary><c>{firstSequence:D20}.idx</c> beside <c>{firstSequence:D20}.seg</c>.</summary>
    public static string PathFor(string segmentPath) => Path.ChangeExtension(segmentPath, Extension);

    /// <summary>Where an index is written before its rename; unique per process so two writers never share one.</summary>
    public static string TempPathFor(string segmentPath) => PathFor(segmentPath) + "." + Environment.ProcessId + ".tmp";

    /// <summary>True for index temp files (<c>*.idx.PID.tmp</c>) left behind by a crash.</summary>
    public static bool IsTempName(string fileName) => fileName.EndsWith(".tmp", StringComparison.Ordinal) && fileName.Contains(Extension + ".", StringComparison.Ordinal);

    public static ulong DialectBit(byte dialect) => 1UL << Math.Min((int)dialect, DialectBitMax);

    public static uint KindBit(byte kind) => 1u << Math.Min((int)kind, KindBitMax);

    /// <summary>The bits a value's hash sets in a Bloom filter: double hashing from its two halves.</summary>
    public static int BloomPosition(ulong hash, int i)
    {
        uint h1 = (uint)hash, h2 = (uint)(hash >> 32) | 1;
        return (int)((h1 + (uint)i * h2) % BloomBits);
    }

    /// <summary>Whether the serialised value set at the start of <paramref name="set"/> may hold <paramref name="hash"/>.</summary>
    public static bool SetMayContain(ReadOnlySpan<byte> set, ulong hash)
    {
        if (set[0] == SetBloom)
        {
            var bits = set.Slice(2, BloomBytes);
            for (int i = 0; i < BloomHashes; i++)
            {
                int p = BloomPosition(hash, i);
                if ((bits[p >> 3] & (1 << (p & 7))) == 0) return false;
            }
            return true;
        }
        int n = set[1];
        var values = set[2..];
        for (int i = 0; i < n; i++)
            if (BinaryPrimitives.ReadUInt64LittleEndian(values[(i * 8)..]) == hash) return true;
        return false;
    }

    /// <summary>Size of the serialised set at the start of <paramref name="bytes"/>, or -1 when it is malformed or runs past the end.</summary>
    public static int SetLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2) return -1;
        int length = bytes[0] switch
        {
            SetExact when bytes[1] <= ExactMax => 2 + 8 * bytes[1],
            SetBloom when bytes[1] == 0 => 2 + BloomBytes,
            _ => -1,
        };
        return length <= bytes.Length ? length : -1;
    }
}
