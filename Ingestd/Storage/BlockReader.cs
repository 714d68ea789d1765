using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using ZstdSharp.Unsafe;

namespace Ingestd.Storage;

/// <summary>
/// Reads and checks blocks of a segment file through a file handle (positional reads, no stream).
/// Shared by recovery, <see cref="SegmentReader"/> and verify. One instance per thread.
/// </summary>
internal sealed unsafe class BlockReader : IDisposable
{
    private readonly BlockCodec _codec;
    private readonly bool _ownsCodec;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    // Only for payloads decoded in pieces (ReadPayload with a pause): the records, and a streaming zstd context.
    private byte[] _raw = [];
    private ZSTD_DCtx_s* _pieces;

    /// <summary>Compressed bytes handed to the decompressor per piece: one or two zstd blocks (≤ 128 KiB of records each).</summary>
    internal const int PieceBytes = 8 * 1024;

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
    /// Reads, checks and decodes the payload of the block at <paramref name="offset"/> whose header was accepted. With
    /// <paramref name="pause"/> (query scans beside ingest), a zstd payload is decompressed in pieces of
    /// <see cref="PieceBytes"/> with <paramref name="pause"/> called between them, the same checks made: one ~1 MiB block
    /// in one call is a few hundred µs that the caller could not interrupt.
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
        if (pause is not null && header.Compression == BlockCodec.CompressionZstd) return DecodeInPieces(header, payload, pause, out records);
        return _codec.DecodePayload(header, payload, out records);
    }

    // BlockCodec.DecodePayload's checks (CRC, exact raw length, framing) around a streaming decompression.
    private BlockStatus DecodeInPieces(scoped in BlockHeader header, ReadOnlySpan<byte> payload, Action pause, out ReadOnlySpan<byte> records)
    {
        records = default;
        if (Crc32C.Compute(payload) != header.PayloadCrc) return BlockStatus.BadPayloadCrc;
        if (_raw.Length < header.RawLength)
        {
            if (_raw.Length > 0) ArrayPool<byte>.Shared.Return(_raw);
            _raw = ArrayPool<byte>.Shared.Rent(header.RawLength);
        }
        if (_pieces is null) _pieces = Methods.ZSTD_createDCtx();
        Methods.ZSTD_DCtx_reset(_pieces, ZSTD_ResetDirective.ZSTD_reset_session_only);
        fixed (byte* src = payload)
        fixed (byte* dst = _raw)
        {
            var input = new ZSTD_inBuffer_s { src = src, size = 0, pos = 0 };
            var output = new ZSTD_outBuffer_s { dst = dst, size = (nuint)header.RawLength, pos = 0 };
            while (true)
            {
                input.size = (nuint)Math.Min(payload.Length, (long)input.size + PieceBytes);
                nuint before = input.pos + output.pos;
                nuint hint = Methods.ZSTD_decompressStream(_pieces, &output, &input);
                if (Methods.ZSTD_isError(hint)) return BlockStatus.BadPayload;
                bool allIn = input.pos == (nuint)payload.Length;
                if (hint == 0 && allIn) break; // the last frame ended exactly at the payload's end
                // No progress with all the input given: a cut frame, or more records than the header's raw length.
                if (allIn && input.pos + output.pos == before) return BlockStatus.BadPayload;
                pause();
            }
            if (output.pos != (nuint)header.RawLength) return BlockStatus.BadPayload;
        }
        var raw = _raw.AsSpan(0, header.RawLength);
        if (!BlockCodec.FramingMatches(raw, header.Count, header.Layout)) return BlockStatus.BadPayload;
        records = raw;
        return BlockStatus.Ok;
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
        if (_raw.Length > 0) ArrayPool<byte>.Shared.Return(_raw);
        _raw = [];
        if (_pieces is not null) Methods.ZSTD_freeDCtx(_pieces);
        _pieces = null;
    }
}
