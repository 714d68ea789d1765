using System.Buffers.Binary;
using System.Numerics;

namespace Ingestd.Storage;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI, ext4 and most log formats.
/// System.IO.Hashing only ships CRC-32 (IEEE), so this uses <see cref="BitOperations.Crc32C(uint, ulong)"/>,
/// which the JIT turns into the SSE4.2 / ARMv8 CRC instruction and which has a table fallback elsewhere.
/// </summary>
internal static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/> (initial value and final XOR 0xFFFFFFFF).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Continues a CRC over more data; start with 0xFFFFFFFF and invert at the end.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
