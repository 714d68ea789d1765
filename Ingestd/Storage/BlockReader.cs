using System.Buffers;
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

    /// <summary>Reads, checks and decodes the payload of the block at <paramref name="offset"/> whose header was accepted.</summary>
    public BlockStatus ReadPayload(SafeFileHandle handle, long offset, scoped in BlockHeader header, out ReadOnlySpan<byte> records)
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
        return _codec.DecodePayload(header, payload, out records);
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
