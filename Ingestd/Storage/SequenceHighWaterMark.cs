using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// A durable upper bound on every sequence number the log has handed out (file <c>sequence.hwm</c>). The log
/// reserves sequence numbers in large steps, fsyncing the new bound before it uses any number past the old one.
/// When recovery has to cut a tail it cannot read, records there may have been acknowledged: numbering then goes on
/// from this bound, so no sequence number is ever given to two different events.
/// </summary>
/// <remarks>
/// Two 512-byte-apart slots are written alternately (each a sector, each CRC'd), so a torn write of one slot leaves
/// the other, older bound intact. Slot: u32 magic "HWM1", u32 CRC-32C of bytes 8..23, u64 generation, u64 bound.
/// </remarks>
internal sealed class SequenceHighWaterMark : IDisposable
{
    public const string FileName = "sequence.hwm";

    /// <summary>
    /// Numbers reserved per fsync: at a million events per second, one small fsync every 16 s. (On ext4 any fsync
    /// commits the journal, which waits for the segment's dirty data too, so it is kept rare, and the log raises the
    /// bound ahead of need, off the writer thread: on the writer it held every acknowledgement for 40–100 ms.)
    /// </summary>
    public const long Step = 1L << 24;

    private const int SlotSize = 24;
    private const int SlotSpacing = 512;
    private const uint Magic = 0x314D5748; // "HWM1" little-endian

    private readonly string _path;
    private readonly ISegmentFiles _files;
    private SafeFileHandle? _file;
    private long _generation;

    private SequenceHighWaterMark(string path, ISegmentFiles files)
    {
        _path = path;
        _files = files;
    }

    private readonly Lock _raising = new();
    private long _bound;

    /// <summary>The highest bound durably recorded (0 when the file does not exist yet); read by any thread.</summary>
    public long Bound
    {
        get => Volatile.Read(ref _bound);
        private set => Volatile.Write(ref _bound, value);
    }

    public static SequenceHighWaterMark Open(string directory, ISegmentFiles files)
    {
        var mark = new SequenceHighWaterMark(Path.Combine(directory, FileName), files);
        mark.Load();
        return mark;
    }

    private void Load()
    {
        if (!File.Exists(_path)) return;
        using var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> slot = stackalloc byte[SlotSize];
        for (int i = 0; i < 2; i++)
        {
            if (SegmentFormat.ReadFully(handle, slot, i * SlotSpacing) < SlotSize) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(slot) != Magic) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(slot[4..]) != Crc32C.Compute(slot[8..])) continue;
            long generation = BinaryPrimitives.ReadInt64LittleEndian(slot[8..]);
            if (generation < _generation) continue;
            _generation = generation;
            Bound = BinaryPrimitives.ReadInt64LittleEndian(slot[16..]);
        }
    }

    /// <summary>
    /// Records <paramref name="bound"/> durably (write + fsync); <see cref="Bound"/> changes only after the fsync. On
    /// failure the old bound stays in force. Callable from two threads (the writer, and the flusher raising ahead).
    /// </summary>
    public void Raise(long bound)
    {
        lock (_raising) RaiseLocked(bound);
    }

    private void RaiseLocked(long bound)
    {
        if (bound <= Bound) return;
        bool created = false;
        if (_file is null)
        {
            created = !File.Exists(_path);
            _file = created ? _files.Create(_path) : _files.OpenExisting(_path);
        }
        Span<byte> slot = stackalloc byte[SlotSize];
        long generation = _generation + 1;
        BinaryPrimitives.WriteUInt32LittleEndian(slot, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(slot[8..], generation);
        BinaryPrimitives.WriteInt64LittleEndian(slot[16..], bound);
        BinaryPrimitives.WriteUInt32LittleEndian(slot[4..], Crc32C.Compute(slot[8..]));
        _files.Write(_file, slot, (generation & 1) * SlotSpacing);
        _files.Flush(_file);
        if (created) _files.FlushDirectory(Path.GetDirectoryName(_path)!);
        _generation = generation;
        Bound = bound;
    }

    public void Dispose()
    {
        lock (_raising) _file?.Dispose();
    }
}
