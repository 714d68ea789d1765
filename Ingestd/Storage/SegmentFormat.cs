using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// Constants and helpers of the segment file layout, version 2 (see FORMAT.md); version 1 files are read too.
/// Cold path only: the per-block work lives in <see cref="BlockCodec"/>.
/// </summary>
internal static class SegmentFormat
{
    public const int FileHeaderSize = 32;
    /// <summary>The version written: 2 adds a CRC-32C of the file header in bytes 12..15.</summary>
    public const ushort Version = 2;

    /// <summary>The first version: bytes 12..15 are reserved and zero, the header has no checksum. Still read.</summary>
    public const ushort Version1 = 1;

    /// <summary>Offset of the file header's CRC-32C (version 2; reserved and zero in version 1).</summary>
    private const int HeaderCrcOffset = 12;
    public const string Extension = ".seg";
    public static ReadOnlySpan<byte> FileMagic => "INGSEG01"u8;

    /// <summary>Digits of the first sequence number in a segment file name; fixed width so that names sort in write order.</summary>
    public const int NameDigits = 20;

    public static string FileName(long firstSequence) => firstSequence.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    /// <summary>True for names this format writes (<c>{firstSequence:D20}.seg</c>); anything else in the directory is ignored.</summary>
    public static bool TryParseFileName(string fileName, out long firstSequence)
    {
        firstSequence = 0;
        if (fileName.Length != NameDigits + Extension.Length || !fileName.EndsWith(Extension, StringComparison.Ordinal)) return false;
        var digits = fileName.AsSpan(0, NameDigits);
        foreach (char c in digits) if (c < '0' || c > '9') return false;
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out firstSequence);
    }

    /// <summary>The segment files of <paramref name="directory"/>, oldest first. Empty when the directory does not exist.</summary>
    public static List<string> ListSegments(string directory)
    {
        var result = new List<string>();
        if (!Directory.Exists(directory)) return result;
        foreach (var path in Directory.EnumerateFiles(directory, "*" + Extension))
            if (TryParseFileName(Path.GetFileName(path), out _)) result.Add(path);
        // Fixed-width names: ordinal order is sequence order.
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    public static void WriteFileHeader(Span<byte> dest, long createdNs, long firstSequence)
    {
        FileMagic.CopyTo(dest);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(dest[10..], FileHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[HeaderCrcOffset..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(dest[16..], createdNs);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[24..], (ulong)firstSequence);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[HeaderCrcOffset..], HeaderCrc(dest));
    }

    /// <summary>CRC-32C of the 32 header bytes with the CRC field (bytes 12..15) taken as zero.</summary>
    private static uint HeaderCrc(ReadOnlySpan<byte> header)
    {
        Span<byte> zero = stackalloc byte[sizeof(uint)];
        zero.Clear();
        uint crc = Crc32C.Update(0xFFFFFFFFu, header[..HeaderCrcOffset]);
        crc = Crc32C.Update(crc, zero);
        crc = Crc32C.Update(crc, header[(HeaderCrcOffset + sizeof(uint))..FileHeaderSize]);
        return ~crc;
    }

    /// <summary>Reads and checks the file header; on failure <paramref name="error"/> says why.</summary>
    public static bool TryReadFileHeader(SafeFileHandle handle, out long createdNs, out long firstSequence, out string? error)
    {
        Span<byte> header = stackalloc byte[FileHeaderSize];
        int read = ReadFully(handle, header, 0);
        return TryParseFileHeader(header[..read], out createdNs, out firstSequence, out error);
    }

    /// <summary>
    /// Checks a file header of version 2 (its CRC must match) or version 1 (its reserved bytes must be zero);
    /// on failure <paramref name="error"/> says why.
    /// </summary>
    public static bool TryParseFileHeader(ReadOnlySpan<byte> header, out long createdNs, out long firstSequence, out string? error)
    {
        createdNs = 0;
        firstSequence = 0;
        error = null;
        ushort version = header.Length >= 10 ? BinaryPrimitives.ReadUInt16LittleEndian(header[8..]) : (ushort)0;
        if (header.Length < FileHeaderSize) error = "short file header";
        else if (!header[..8].SequenceEqual(FileMagic)) error = "bad file magic";
        else if (version is not (Version or Version1)) error = "unsupported version " + version;
        else if (BinaryPrimitives.ReadUInt16LittleEndian(header[10..]) != FileHeaderSize) error = "bad file header size";
        else if (version == Version && BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderCrcOffset..]) != HeaderCrc(header))
            error = "file header CRC mismatch";
        else if (version == Version1 && BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderCrcOffset..]) != 0)
            error = "reserved bytes of a version 1 file header are not zero";
        else if ((long)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]) < 0) error = "bad first sequence";
        if (error is not null) return false;
        createdNs = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        firstSequence = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
        return true;
    }

    /// <summary>Reads until <paramref name="dest"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle handle, Span<byte> dest, long offset)
    {
        int total = 0;
        while (total < dest.Length)
        {
            int n = RandomAccess.Read(handle, dest[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
