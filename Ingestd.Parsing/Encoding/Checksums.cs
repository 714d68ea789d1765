using System.Buffers.Binary;

namespace Ingestd.Parsing.Encoding;

/// <summary>The integrity checks of the gzip trailer (CRC-32, RFC 1952 §8) and the zlib trailer (Adler-32, RFC 1950 §9).</summary>
internal static class Checksums
{
    // Slice-by-8 tables for the reflected CRC-32 polynomial 0xEDB88320.
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint[] t = CrcTable;
        uint crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[7 * 256 + (lo & 0xFF)] ^ t[6 * 256 + ((lo >> 8) & 0xFF)]
                ^ t[5 * 256 + ((lo >> 16) & 0xFF)] ^ t[4 * 256 + (lo >> 24)]
                ^ t[3 * 256 + (hi & 0xFF)] ^ t[2 * 256 + ((hi >> 8) & 0xFF)]
                ^ t[1 * 256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
            data = data[8..];
        }
        foreach (byte b in data) crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    public static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Mod = 65521;
        // 5552 is the largest n for which the sums cannot overflow 32 bits before the modulo (RFC 1950 §9, zlib's NMAX).
        const int Nmax = 5552;
        uint a = 1, b = 0;
        while (!data.IsEmpty)
        {
            int n = Math.Min(Nmax, data.Length);
            foreach (byte x in data[..n])
            {
                a += x;
                b += a;
            }
            a %= Mod;
            b %= Mod;
            data = data[n..];
        }
        return (b << 16) | a;
    }

    private static uint[] BuildCrcTable()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (int i = 0; i < 256; i++)
        {
            for (int s = 1; s < 8; s++)
            {
                uint prev = t[(s - 1) * 256 + i];
                t[s * 256 + i] = t[prev & 0xFF] ^ (prev >> 8);
            }
        }
        return t;
    }
}
