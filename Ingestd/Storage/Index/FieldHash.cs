using System.Buffers.Binary;
using System.Numerics;

namespace Ingestd.Storage.Index;

/// <summary>
/// The 64-bit hash an index records for a tenant, service, level or stream (FORMAT.md, "Block index"). Stable across
/// processes and versions: it is part of the file format. Word at a time, no allocation.
/// </summary>
internal static class FieldHash
{
    private const ulong P1 = 0x9E3779B97F4A7C15, P2 = 0xC2B2AE3D27D4EB4F;

    /// <summary>The hash of the bytes as they are (tenant, service, stream match exactly).</summary>
    public static ulong Of(ReadOnlySpan<byte> value)
    {
        ulong h = (ulong)value.Length * P1;
        while (value.Length >= 8)
        {
            h = Step(h, BinaryPrimitives.ReadUInt64LittleEndian(value));
            value = value[8..];
        }
        if (!value.IsEmpty) h = Step(h, Tail(value));
        return Finish(h);
    }

    /// <summary>The hash of the bytes with ASCII letters lower-cased (levels match ignoring ASCII case).</summary>
    public static ulong OfFolded(ReadOnlySpan<byte> value)
    {
        ulong h = (ulong)value.Length * P1;
        while (value.Length >= 8)
        {
            h = Step(h, Fold(BinaryPrimitives.ReadUInt64LittleEndian(value)));
            value = value[8..];
        }
        if (!value.IsEmpty) h = Step(h, Fold(Tail(value)));
        return Finish(h);
    }

    private static ulong Tail(ReadOnlySpan<byte> rest)
    {
        ulong w = 0;
        for (int i = rest.Length - 1; i >= 0; i--) w = (w << 8) | rest[i];
        return w;
    }

    private static ulong Step(ulong h, ulong word) => BitOperations.RotateLeft(h ^ (word * P2), 31) * P1;

    // Lower-cases the ASCII letters 'A'..'Z' of eight bytes at once (zero padding stays zero).
    private static ulong Fold(ulong w)
    {
        const ulong Ones = 0x0101010101010101, High = 0x8080808080808080;
        ulong ascii = ~w & High;                           // bytes below 0x80
        ulong aboveA = (w & ~High) + Ones * (0x80 - 'A');   // high bit set where byte >= 'A'
        ulong aboveZ = (w & ~High) + Ones * (0x80 - 'Z' - 1); // high bit set where byte > 'Z'
        ulong upper = ascii & aboveA & ~aboveZ;
        return w | (upper >> 2);                            // 0x80 >> 2 = 0x20, the case bit
    }

    // The murmur3 64-bit finaliser: every input bit affects every output bit, which the Bloom filter's positions need.
    private static ulong Finish(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB93FE53A87ED;
        h ^= h >> 33;
        return h;
    }
}
