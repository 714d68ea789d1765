using System.Buffers.Binary;
using Ingestd.Storage;

namespace Ingestd.Outputs;

/// <summary>
/// An output's position: the next sequence it has to deliver (everything below was delivered and acknowledged, or
/// filtered out). Stored in <c>outputs/&lt;name&gt;.cursor</c>: magic <c>INGCUR01</c>, the sequence
/// (int64 LE), the time it was written (Unix ns, int64 LE), then a CRC32C of those 24 bytes: 28 bytes in all. Written
/// atomically (temp file, fsync, rename, directory fsync), so a crash leaves the old cursor or the new one.
/// </summary>
internal static class OutputCursor
{
    private const int Size = 28;
    private static ReadOnlySpan<byte> Magic => "INGCUR01"u8;

    public static string PathFor(string outputsDir, string name) => Path.Combine(outputsDir, name + ".cursor");

    /// <summary>
    /// The stored next sequence, or null when there is no file or it cannot be trusted (torn, wrong size, bad CRC);
    /// <paramref name="problem"/> then says which, or stays null for a missing file.
    /// </summary>
    public static long? Load(string path, out string? problem)
    {
        problem = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        if (bytes.Length != Size)
        {
            problem = $"{path}: {bytes.Length} bytes, expected {Size} (torn write?)";
            return null;
        }
        if (!bytes.AsSpan(0, 8).SequenceEqual(Magic))
        {
            problem = $"{path}: not a cursor file (bad magic)";
            return null;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)) != Crc32C.Compute(bytes.AsSpan(0, 24)))
        {
            problem = $"{path}: checksum mismatch";
            return null;
        }
        long next = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        if (next < 0)
        {
            problem = $"{path}: negative sequence {next}";
            return null;
        }
        return next;
    }

    /// <summary>Replaces the cursor file; on return the new value survives a crash or power loss.</summary>
    public static void Save(string path, long nextSequence)
    {
        Span<byte> bytes = stackalloc byte[Size];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], nextSequence);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[24..], Crc32C.Compute(bytes[..24]));
        string dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        DirectorySync.Fsync(dir);
    }
}
