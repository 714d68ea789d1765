using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Storage;

/// <summary>
/// Reads and checks blocks of a segment file through a file handle (positional reads, no stream).
/// Shared by recovery, <see cref="SegmentReader"/> and verify. One instance per thread.
/// </summary>
internal sealed class BlockReader : IDisposable
{
    private readonly BlockCodec _codec;
    private readonly bool _ownsCodec;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    public BlockReader(BlockCodec? codec = null)
    {
        _codec = codec ?? new BlockCodec();
        _ownsCodec = codec is null;
    }

    /// <summary>
    /// Reads the block at <paramref name="offset"/> of a file whose readable length is <paramref name="fileLength"/>.
    /// <paramref name="header"/> is valid (its length trustworthy) for every status except TruncatedHeader, BadMagic,
    /// BadHeaderCrc and BadHeader. On Ok, <paramref name="records"/> stays valid until the next call.
    /// </summary>
    public BlockStatus Read(SafeFileHandle handle, long offset, long fileLength, out BlockHeader header, out ReadOnlySpan<byte> records)
    {
        records = default;
        var status = ReadHeader(handle, offset, fileLength, out header);
        if (status != BlockStatus.Ok) return status;
        return ReadPayload(handle, offset, header, out records);
    }

    /// <summary>Reads and checks only the header at <paramref name="offset"/>, and that the file holds the whole payload.</summary>
    public BlockStatus ReadHeader(SafeFileHandle handle, long offset, long fileLength, out BlockHeader header)
    {
        header = default;
        if (fileLength - offset < BlockCodec.HeaderSize) return BlockStatus.TruncatedHeader;
        var headerBytes = _buffer.AsSpan(0, BlockCodec.HeaderSize);
        if (SegmentFormat.ReadFully(handle, headerBytes, offset) < BlockCodec.HeaderSize) return BlockStatus.TruncatedHeader;
        var status = BlockCodec.ReadHeader(headerBytes, out header);
        if (status != BlockStatus.Ok) return status;
        return fileLength - offset < header.TotalLength ? BlockStatus.TruncatedPayload : BlockStatus.Ok;
    }

    /// <summary>
    /// Reads, checks and decodes the payload of the block at <paramref name="offset"/> whose header was accepted;
    /// <paramref name="pause"/> as in <see cref="BlockCodec.DecodePayload"/> (query scans beside ingest).
    /// </summary>
    public BlockStatus ReadPayload(SafeFileHandle handle, long offset, scoped in BlockHeader header, out ReadOnlySpan<byte> records, Action? pause = null)
    {
        records = default;
        if (_buffer.Length < header.PayloadLength)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(header.PayloadLength);
        }
        var payload = _buffer.AsSpan(0, header.PayloadLength);
        int read = SegmentFormat.ReadFully(handle, payload, offset + BlockCodec.HeaderSize);
        if (read < payload.Length) return BlockStatus.TruncatedPayload;
        return _codec.DecodePayload(header, payload, out records, pause);
    }

    /// <summary>Bytes <see cref="FindNextBlock"/> reads at a time.</summary>
    internal const int ScanChunkSize = 64 * 1024;

    /// <summary>
    /// Resynchronises after a block header that cannot be trusted: returns the first offset after <paramref name="from"/>
    /// where a complete block verifies fully (magic, header CRC, fields in range, whole payload before
    /// <paramref name="fileLength"/>, payload CRC, decoding), or -1 when there is none. <paramref name="from"/> itself is
    /// never returned: callers pass the offset of the block they could not read.
    /// </summary>
    /// <remarks>
    /// One pass over the file in pooled chunks, searching each for the magic; only magic hits are checked further, and a
    /// header CRC that fails in memory costs no extra read. Consecutive chunks overlap by three bytes so that a magic
    /// split across a chunk boundary is still found.
    /// </remarks>
    public long FindNextBlock(SafeFileHandle handle, long from, long fileLength)
    {
        Span<byte> magic = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, BlockCodec.Magic);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ScanChunkSize);
        try
        {
            long position = from + 1;
            // A block that verifies needs at least its whole header before the end of the file.
            while (fileLength - position >= BlockCodec.HeaderSize)
            {
                int wanted = (int)Math.Min(ScanChunkSize, fileLength - position);
                var bytes = chunk.AsSpan(0, SegmentFormat.ReadFully(handle, chunk.AsSpan(0, wanted), position));
                int searched = 0;
                while (true)
                {
                    int hit = bytes[searched..].IndexOf(magic);
                    if (hit < 0) break;
                    searched += hit;
                    long candidate = position + searched;
                    if (fileLength - candidate < BlockCodec.HeaderSize) return -1; // so is every later one
                    if (VerifiesAt(handle, candidate, fileLength, bytes[searched..])) return candidate;
                    searched++;
                }
                if (bytes.Length < wanted) return -1; // the file ended early (truncated meanwhile)
                position += bytes.Length - (magic.Length - 1);
            }
            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>
    /// Whether a whole block verifies at <paramref name="offset"/>. <paramref name="inChunk"/> holds the bytes from there
    /// that the scan already read; when they cover the header, a bad one is rejected without touching the file.
    /// </summary>
    private bool VerifiesAt(SafeFileHandle handle, long offset, long fileLength, ReadOnlySpan<byte> inChunk)
    {
        if (inChunk.Length >= BlockCodec.HeaderSize && BlockCodec.ReadHeader(inChunk, out _) != BlockStatus.Ok) return false;
        return Read(handle, offset, fileLength, out _, out _) == BlockStatus.Ok;
    }

    /// <summary>True when the status leaves the header's length trustworthy, so a reader may skip to the next block.</summary>
    public static bool CanSkip(BlockStatus status)
        => status is BlockStatus.BadPayloadCrc or BlockStatus.BadPayload or BlockStatus.SequenceGap;

    public void Dispose()
    {
        if (_ownsCodec) _codec.Dispose();
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
