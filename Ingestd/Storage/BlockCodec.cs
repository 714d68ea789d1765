using System.Buffers;
using System.Buffers.Binary;
using Ingestd.Parsing.Records;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Ingestd.Storage;

/// <summary>
/// Encodes a batch of records into one block (header + zstd payload) and decodes/validates blocks.
/// One instance per thread: it reuses one zstd context each way and pooled buffers, so steady-state
/// encoding and decoding allocate nothing.
/// <code>
///  0  u32  magic "BLK1"
///  4  u32  payload length (as stored)
///  8  u32  raw length (records, uncompressed)
/// 12  u32  record count
/// 16  u64  first sequence number
/// 24  i64  min event time, Unix ns
/// 32  i64  max event time, Unix ns
/// 40  u8   compression: 0 none, 1 zstd
/// 41  u8   record layout (<see cref="RecordLayoutVersion"/>): 0 original, 1 with stream, 2 with routes
/// 42  2    zero
/// 44  u32  CRC-32C of the payload
/// 48  u32  CRC-32C of bytes 0..47
/// 52       payload
/// </code>
/// </summary>
internal sealed unsafe class BlockCodec : IDisposable
{
    public const int HeaderSize = 52;
    public const uint Magic = 0x314B4C42; // "BLK1" read as a little-endian u32
    public const byte CompressionNone = 0;
    public const byte CompressionZstd = 1;

    /// <summary>Upper bound for raw and stored payload lengths; larger values in a header are corruption, not an allocation request.</summary>
    public const int MaxPayloadLength = 1 << 30;

    private readonly int _level;
    private Compressor? _compressor;
    private Decompressor? _decompressor;
    private ZSTD_DCtx_s* _streaming; // for payloads decoded in pieces (a pause between them)
    private byte[] _encoded = [];
    private byte[] _raw = [];

    public BlockCodec(int compressionLevel = 1) => _level = compressionLevel;

    /// <summary>
    /// Builds the block for <paramref name="records"/> (header and payload, ready for one write).
    /// The span stays valid until the next call. The payload is zstd, or stored raw when zstd does not shrink it.
    /// </summary>
    public ReadOnlySpan<byte> Encode(ReadOnlySpan<byte> records, int count, long firstSequence, long minEventNs, long maxEventNs)
    {
        if (records.Length > MaxPayloadLength) throw new ArgumentOutOfRangeException(nameof(records), "block larger than 1 GiB");
        int bound = Compressor.GetCompressBound(records.Length);
        Rent(ref _encoded, HeaderSize + Math.Max(bound, records.Length));
        var payloadArea = _encoded.AsSpan(HeaderSize);
        _compressor ??= new Compressor(_level);
        if (_level == 1) _compressor.SetParameter(ZSTD_cParameter.ZSTD_c_hashLog, records.Length > SmallBlockBytes ? LargeBlockHashLog : 0);
        int stored = _compressor.Wrap(records, payloadArea);
        byte compression = CompressionZstd;
        if (stored >= records.Length)
        {
            records.CopyTo(payloadArea);
            stored = records.Length;
            compression = CompressionNone;
        }
        var payload = payloadArea[..stored];
        var header = _encoded.AsSpan(0, HeaderSize);
        WriteHeader(header, new BlockHeader(stored, records.Length, count, firstSequence, minEventNs, maxEventNs,
            compression, Crc32C.Compute(payload)));
        return _encoded.AsSpan(0, HeaderSize + stored);
    }

    // At level 1 (the default) a block over 64 KiB gets a 16 KiB hash table instead of level 1's 64 KiB, which stays in
    // L1 (the benchmarks' zstd-params, in their README): 1 MiB blocks 1.06-1.13x faster on distinct events for 1.5 %
    // larger blocks; one-request blocks of ~220 KB, what a paced load writes, 1.09x faster for 0.4 % larger ones.
    // Smaller blocks keep zstd's own choice for their size (0); the frames are ordinary zstd either way.
    private const int SmallBlockBytes = 64 * 1024;
    private const int LargeBlockHashLog = 12;

    public static void WriteHeader(Span<byte> dest, in BlockHeader h)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dest, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], (uint)h.PayloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], (uint)h.RawLength);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[12..], (uint)h.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[16..], (ulong)h.FirstSequence);
        BinaryPrimitives.WriteInt64LittleEndian(dest[24..], h.MinEventNs);
        BinaryPrimitives.WriteInt64LittleEndian(dest[32..], h.MaxEventNs);
        dest[40] = h.Compression;
        dest[41] = (byte)h.Layout;
        dest[42] = 0;
        dest[43] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(dest[44..], h.PayloadCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[48..], Crc32C.Compute(dest[..48]));
    }

    /// <summary>Checks a block header. On <see cref="BlockStatus.Ok"/> the header's lengths can be trusted.</summary>
    public static BlockStatus ReadHeader(ReadOnlySpan<byte> bytes, out BlockHeader header)
    {
        header = default;
        if (bytes.Length < HeaderSize) return BlockStatus.TruncatedHeader;
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic) return BlockStatus.BadMagic;
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes[48..]) != Crc32C.Compute(bytes[..48])) return BlockStatus.BadHeaderCrc;
        uint payload = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        uint raw = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        ulong first = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        var layout = (RecordLayoutVersion)bytes[41];
        if (payload > MaxPayloadLength || raw > MaxPayloadLength || count > raw / RecordLayout.HeaderSizeOf(layout)
            || first > (ulong)(long.MaxValue - count) || layout > RecordLayout.Current)
            return BlockStatus.BadHeader;
        header = new BlockHeader((int)payload, (int)raw, (int)count, (long)first,
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]),
            bytes[40],
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[44..]),
            layout);
        return BlockStatus.Ok;
    }

    /// <summary>
    /// Checks and decompresses a payload whose header <see cref="ReadHeader"/> accepted. On <see cref="BlockStatus.Ok"/>,
    /// <paramref name="records"/> holds exactly <c>header.Count</c> well-formed records; it stays valid until the next call.
    /// </summary>
    /// <param name="pause">
    /// Query scans beside ingest: a zstd payload is then decompressed in pieces of <see cref="PieceBytes"/> of input
    /// with <paramref name="pause"/> called between them (one ~1 MiB block in one call is a few hundred µs the caller
    /// could not interrupt); the checks are the same. Null: in one call.
    /// </param>
    public BlockStatus DecodePayload(scoped in BlockHeader header, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> records, Action? pause = null)
    {
        records = default;
        if (payload.Length < header.PayloadLength) return BlockStatus.TruncatedPayload;
        payload = payload[..header.PayloadLength];
        if (Crc32C.Compute(payload) != header.PayloadCrc) return BlockStatus.BadPayloadCrc;

        ReadOnlySpan<byte> raw;
        if (header.Compression == CompressionNone)
        {
            if (payload.Length != header.RawLength) return BlockStatus.BadPayload;
            raw = payload;
        }
        else if (header.Compression == CompressionZstd)
        {
            Rent(ref _raw, header.RawLength);
            var dest = _raw.AsSpan(0, header.RawLength);
            bool whole = pause is null
                ? TryDecompress(payload, dest, out int written) && written == dest.Length
                : TryDecompressInPieces(payload, dest, pause);
            if (!whole) return BlockStatus.BadPayload;
            raw = dest;
        }
        else
        {
            return BlockStatus.BadPayload;
        }

        if (!FramingMatches(raw, header.Count, header.Layout)) return BlockStatus.BadPayload;
        records = raw;
        return BlockStatus.Ok;
    }

    /// <summary>Checks and decodes a whole block held in memory.</summary>
    public BlockStatus Decode(ReadOnlySpan<byte> block, out BlockHeader header, out ReadOnlySpan<byte> records)
    {
        records = default;
        var status = ReadHeader(block, out header);
        if (status != BlockStatus.Ok) return status;
        return DecodePayload(header, block[HeaderSize..], out records);
    }

    public static string Describe(BlockStatus status) => status switch
    {
        BlockStatus.Ok => "ok",
        BlockStatus.TruncatedHeader => "truncated block header",
        BlockStatus.BadMagic => "bad block magic",
        BlockStatus.BadHeaderCrc => "block header CRC mismatch",
        BlockStatus.BadHeader => "block header fields out of range",
        BlockStatus.TruncatedPayload => "truncated block payload",
        BlockStatus.BadPayloadCrc => "block payload CRC mismatch",
        BlockStatus.BadPayload => "block payload does not decode to its records",
        BlockStatus.SequenceGap => "sequence number does not follow the previous block",
        _ => status.ToString(),
    };

    public void Dispose()
    {
        _compressor?.Dispose();
        _decompressor?.Dispose();
        if (_streaming is not null) Methods.ZSTD_freeDCtx(_streaming);
        _streaming = null;
        if (_encoded.Length > 0) ArrayPool<byte>.Shared.Return(_encoded);
        if (_raw.Length > 0) ArrayPool<byte>.Shared.Return(_raw);
        _encoded = [];
        _raw = [];
    }

    private bool TryDecompress(ReadOnlySpan<byte> payload, Span<byte> dest, out int written)
    {
        _decompressor ??= new Decompressor();
        try
        {
            written = _decompressor.Unwrap(payload, dest);
            return true;
        }
        catch (ZstdException)
        {
            // Corrupt frame, or more output than the header's raw length: both mean a bad payload.
            written = 0;
            return false;
        }
    }

    /// <summary>Compressed bytes handed to the decompressor per piece: one or two zstd blocks (≤ 128 KiB of records each).</summary>
    internal const int PieceBytes = 8 * 1024;

    // True when the payload decompresses to exactly dest (its frames ending at the payload's end), calling pause between pieces.
    private bool TryDecompressInPieces(ReadOnlySpan<byte> payload, Span<byte> dest, Action pause)
    {
        if (_streaming is null) _streaming = Methods.ZSTD_createDCtx();
        Methods.ZSTD_DCtx_reset(_streaming, ZSTD_ResetDirective.ZSTD_reset_session_only);
        fixed (byte* src = payload)
        fixed (byte* dst = dest)
        {
            var input = new ZSTD_inBuffer_s { src = src, size = 0, pos = 0 };
            var output = new ZSTD_outBuffer_s { dst = dst, size = (nuint)dest.Length, pos = 0 };
            while (true)
            {
                input.size = (nuint)Math.Min(payload.Length, (long)input.size + PieceBytes);
                nuint before = input.pos + output.pos;
                nuint hint = Methods.ZSTD_decompressStream(_streaming, &output, &input);
                if (Methods.ZSTD_isError(hint)) return false;
                bool allIn = input.pos == (nuint)payload.Length;
                if (hint == 0 && allIn) break; // the last frame ended exactly at the payload's end
                // No progress with all the input given: a cut frame, or more records than the header's raw length.
                if (allIn && input.pos + output.pos == before) return false;
                pause();
            }
            return output.pos == (nuint)dest.Length;
        }
    }

    /// <summary>Whether <paramref name="raw"/> is exactly <paramref name="count"/> whole records of <paramref name="layout"/>.</summary>
    internal static bool FramingMatches(ReadOnlySpan<byte> raw, int count, RecordLayoutVersion layout)
    {
        int seen = 0;
        while (!raw.IsEmpty)
        {
            if (seen == count || !RecordView.TryRead(raw, layout, out _, out int length)) return false;
            raw = raw[length..];
            seen++;
        }
        return seen == count;
    }

    private static void Rent(ref byte[] buffer, int size)
    {
        if (buffer.Length >= size) return;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 64 * 1024));
    }
}
