using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Errors;
using ZstdSharp.Unsafe;

namespace Ingestd.Parsing.Encoding;

/// <summary>
/// Decodes a request body's content coding into a <see cref="PooledBuffer"/>. One per connection,
/// reused across requests. Output is produced in bounded pieces straight into the buffer, so the
/// buffer's <see cref="PooledBuffer.Cap"/> stops a decompression bomb as soon as it is passed.
/// Every decoder insists on a complete stream with nothing after it.
/// </summary>
internal sealed unsafe class BodyDecoder : IDisposable
{
    private const int RoomHint = 64 * 1024;

    // RFC 9659 §3: decoders of the "zstd" content coding need support windows up to 8 MiB and
    // may refuse larger ones; the limit also bounds the window memory a client can make us allocate.
    private const int ZstdWindowLogMax = 23;

    // Made on a connection's first gzip or deflate body: its tables are ~10 KB, and most connections never send one
    // (a shipper that reconnects every minute would otherwise allocate them for nothing each time).
    private Inflater? _inflater;

    private Inflater Inflater => _inflater ??= new Inflater();
    private ZSTD_DCtx_s* _zstd;

    /// <summary>
    /// Removes every listed coding, the last listed first (RFC 9110 §8.4: codings are listed in the
    /// order they were applied). In a list of several, a gzip, deflate (zlib) or zstd coding whose
    /// magic bytes (1f 8b; a zlib header, 78 xx; 28 b5 2f fd) do not start the data it would be
    /// removed from is taken as listed but not applied and skipped: graypy 2.1 sends one zlib stream
    /// labelled <c>gzip,deflate</c> and never reads the answer, so refusing it loses its events
    /// silently. Brotli has no magic bytes and is always decoded. A body that shows none of its
    /// codings is refused. A single listed coding is decoded strictly, as before.
    /// </summary>
    public void Decode(ContentCodings codings, ReadOnlySpan<byte> encoded, PooledBuffer output)
    {
        try
        {
            if (codings.Count <= 1) DecodeOne(codings.Outermost, encoded, output);
            else DecodeStacked(codings, encoded, output);
        }
        catch (BufferLimitExceededException e)
        {
            throw TooLarge(e);
        }
    }

    // Cold path: each removed layer goes to its own pooled buffer, the innermost one is copied to output.
    private void DecodeStacked(ContentCodings codings, ReadOnlySpan<byte> encoded, PooledBuffer output)
    {
        using var a = new PooledBuffer(LargeBufferPool.Shared) { Cap = output.Cap };
        using var b = new PooledBuffer(LargeBufferPool.Shared) { Cap = output.Cap };
        PooledBuffer? current = null;
        int decoded = 0;
        for (int i = codings.Count - 1; i >= 0; i--)
        {
            var coding = codings[i];
            var data = current is null ? encoded : current.WrittenSpan;
            if (!ShowsCoding(coding, data)) continue;
            var next = current == a ? b : a;
            next.Reset();
            DecodeOne(coding, data, next);
            current = next;
            decoded++;
        }
        if (decoded == 0) Invalid("the body starts with the magic bytes of none of its listed content codings");
        Copy(current!.WrittenSpan, output);
    }

    /// <summary>True when <paramref name="data"/> may be in <paramref name="coding"/>: it starts with the coding's magic bytes, or the coding has none.</summary>
    internal static bool ShowsCoding(ContentCoding coding, ReadOnlySpan<byte> data) => coding switch
    {
        ContentCoding.Gzip => data.Length >= 2 && data[0] == 0x1F && data[1] == 0x8B,
        ContentCoding.Deflate => data.Length >= 2 && IsZlibHeader(data[0], data[1]),
        ContentCoding.Zstd => data.Length >= 4 && data[0] == 0x28 && data[1] == 0xB5 && data[2] == 0x2F && data[3] == 0xFD,
        ContentCoding.Identity => false,
        _ => true,
    };

    /// <exception cref="RequestRejectedException">A corrupt body, or more decoded bytes than <paramref name="output"/>'s cap (<see cref="RejectReason.DecodedBodyTooLarge"/>).</exception>
    public void Decode(ContentCoding coding, ReadOnlySpan<byte> encoded, PooledBuffer output)
    {
        try
        {
            DecodeOne(coding, encoded, output);
        }
        catch (BufferLimitExceededException e)
        {
            throw TooLarge(e);
        }
    }

    // The codings check the cap before writing; the buffer's own limit is the backstop, reported the same way.
    private static RequestRejectedException TooLarge(BufferLimitExceededException e)
        => new(RejectReason.DecodedBodyTooLarge) { Size = e.Size };

    private void DecodeOne(ContentCoding coding, ReadOnlySpan<byte> encoded, PooledBuffer output)
    {
        switch (coding)
        {
            case ContentCoding.Identity: Copy(encoded, output); break;
            case ContentCoding.Gzip: Gzip(encoded, output); break;
            case ContentCoding.Deflate: Deflate(encoded, output); break;
            case ContentCoding.Brotli: Brotli(encoded, output); break;
            case ContentCoding.Zstd: Zstd(encoded, output); break;
            default: throw new ArgumentOutOfRangeException(nameof(coding));
        }
    }

    private static void Copy(ReadOnlySpan<byte> encoded, PooledBuffer output)
    {
        if (output.Length + (long)encoded.Length > output.Cap) ThrowTooLarge("identity", output.Cap);
        output.Write(encoded);
    }

    // RFC 1952 §2: one or more members, each a header, a deflate stream and CRC-32 + ISIZE.
    private void Gzip(ReadOnlySpan<byte> input, PooledBuffer output)
    {
        int at = 0;
        do
        {
            at = GzipMember(input, at, output);
        } while (at < input.Length);
    }

    private int GzipMember(ReadOnlySpan<byte> input, int at, PooledBuffer output)
    {
        const byte FHCRC = 0x02, FEXTRA = 0x04, FNAME = 0x08, FCOMMENT = 0x10, Reserved = 0xE0;
        var rest = input[at..];
        if (rest.Length >= 1 && rest[0] != 0x1F || rest.Length >= 2 && rest[1] != 0x8B)
            Invalid(at == 0 ? "gzip: not a gzip stream" : "gzip: trailing bytes after the last member");
        if (rest.Length < 10) Invalid("gzip: truncated stream");
        if (rest[2] != 8) Invalid("gzip: unsupported compression method");
        byte flags = rest[3];
        if ((flags & Reserved) != 0) Invalid("gzip: reserved header flags set");

        int p = 10;
        if ((flags & FEXTRA) != 0)
        {
            if (rest.Length < p + 2) Invalid("gzip: truncated stream");
            p += 2 + BinaryPrimitives.ReadUInt16LittleEndian(rest[p..]);
        }
        if ((flags & FNAME) != 0) p = SkipZeroTerminated(rest, p);
        if ((flags & FCOMMENT) != 0) p = SkipZeroTerminated(rest, p);
        if ((flags & FHCRC) != 0)
        {
            if (rest.Length < p + 2) Invalid("gzip: truncated stream");
            // RFC 1952 §2.3.1: the two low-order bytes of the CRC-32 of the header before it.
            if ((ushort)Checksums.Crc32(rest[..p]) != BinaryPrimitives.ReadUInt16LittleEndian(rest[p..]))
                Invalid("gzip: header CRC mismatch");
            p += 2;
        }
        if (p > rest.Length) Invalid("gzip: truncated stream");

        int dataStart = output.Length;
        int end = Inflater.Inflate(rest, p, output, "gzip");
        if (rest.Length - end < 8) Invalid("gzip: truncated stream");
        var data = output.WrittenSpan[dataStart..];
        if (Checksums.Crc32(data) != BinaryPrimitives.ReadUInt32LittleEndian(rest[end..])) Invalid("gzip: CRC-32 mismatch");
        if ((uint)data.Length != BinaryPrimitives.ReadUInt32LittleEndian(rest[(end + 4)..])) Invalid("gzip: length mismatch");
        return at + end + 8;
    }

    private static int SkipZeroTerminated(ReadOnlySpan<byte> s, int p)
    {
        if (p >= s.Length) Invalid("gzip: truncated stream");
        int zero = s[p..].IndexOf((byte)0);
        if (zero < 0) Invalid("gzip: truncated stream");
        return p + zero + 1;
    }

    // HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2, RFC 1950), but some clients send a raw
    // RFC 1951 stream: a valid zlib header decides which.
    private void Deflate(ReadOnlySpan<byte> input, PooledBuffer output)
    {
        int end;
        if (input.Length >= 2 && IsZlibHeader(input[0], input[1]))
        {
            if ((input[1] & 0x20) != 0) Invalid("deflate: zlib preset dictionary not supported");
            int dataStart = output.Length;
            end = Inflater.Inflate(input, 2, output, "deflate");
            if (input.Length - end < 4) Invalid("deflate: truncated stream");
            if (Checksums.Adler32(output.WrittenSpan[dataStart..]) != BinaryPrimitives.ReadUInt32BigEndian(input[end..]))
                Invalid("deflate: Adler-32 mismatch");
            end += 4;
        }
        else
        {
            end = Inflater.Inflate(input, 0, output, "deflate");
        }
        if (end != input.Length) Invalid("deflate: trailing bytes after the end of the stream");
    }

    // RFC 1950 §2.2: CM = 8, CINFO <= 7 (window <= 32 KiB), and CMF*256 + FLG a multiple of 31.
    private static bool IsZlibHeader(byte cmf, byte flg)
        => (cmf & 0x0F) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;

    // BrotliDecoder has no reset, so each request creates (and frees) its native decoder state.
    private static void Brotli(ReadOnlySpan<byte> input, PooledBuffer output)
    {
        using var decoder = new BrotliDecoder();
        int consumed = 0;
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            long room = output.Cap - output.Length;
            OperationStatus status;
            if (room <= 0)
            {
                // At the cap: the body is acceptable only if the stream ends here.
                status = decoder.Decompress(input[consumed..], probe, out int c, out int w);
                if (w > 0) ThrowTooLarge("br", output.Cap);
                consumed += c;
            }
            else
            {
                var dest = output.GetSpan((int)Math.Min(RoomHint, room));
                if (dest.Length > room) dest = dest[..(int)room];
                status = decoder.Decompress(input[consumed..], dest, out int c, out int w);
                consumed += c;
                output.Advance(w);
            }
            switch (status)
            {
                case OperationStatus.Done:
                    if (consumed != input.Length) Invalid("br: trailing bytes after the end of the stream");
                    return;
                case OperationStatus.DestinationTooSmall:
                    continue;
                case OperationStatus.NeedMoreData:
                    Invalid("br: truncated stream");
                    break;
                default:
                    Invalid("br: corrupt stream");
                    break;
            }
        }
    }

    // RFC 8878: one or more frames (skippable frames included); frames need not declare their size.
    private void Zstd(ReadOnlySpan<byte> input, PooledBuffer output)
    {
        if (_zstd == null)
        {
            _zstd = Methods.ZSTD_createDCtx();
            if (_zstd == null) throw new OutOfMemoryException("zstd: cannot create a decompression context");
            Methods.ZSTD_DCtx_setParameter(_zstd, ZSTD_dParameter.ZSTD_d_windowLogMax, ZstdWindowLogMax);
        }
        else
        {
            Methods.ZSTD_DCtx_reset(_zstd, ZSTD_ResetDirective.ZSTD_reset_session_only);
        }

        fixed (byte* src = input)
        {
            var inBuf = new ZSTD_inBuffer_s { src = src, size = (nuint)input.Length, pos = 0 };
            byte probe = 0;
            while (true)
            {
                long room = output.Cap - output.Length;
                nuint ret, produced, roomGiven;
                if (room <= 0)
                {
                    // At the cap: the body is acceptable only if the stream has nothing more to give.
                    var outBuf = new ZSTD_outBuffer_s { dst = &probe, size = 1, pos = 0 };
                    ret = Methods.ZSTD_decompressStream(_zstd, &outBuf, &inBuf);
                    if (!Methods.ZSTD_isError(ret) && outBuf.pos > 0) ThrowTooLarge("zstd", output.Cap);
                    produced = outBuf.pos;
                    roomGiven = 1;
                }
                else
                {
                    var dest = output.GetSpan((int)Math.Min(RoomHint, room));
                    if (dest.Length > room) dest = dest[..(int)room];
                    fixed (byte* dst = dest)
                    {
                        var outBuf = new ZSTD_outBuffer_s { dst = dst, size = (nuint)dest.Length, pos = 0 };
                        ret = Methods.ZSTD_decompressStream(_zstd, &outBuf, &inBuf);
                        produced = outBuf.pos;
                        roomGiven = outBuf.size;
                    }
                    if (!Methods.ZSTD_isError(ret)) output.Advance((int)produced);
                }
                if (Methods.ZSTD_isError(ret)) ZstdError(ret);

                bool inputDone = inBuf.pos == inBuf.size;
                if (ret == 0)
                {
                    // A frame ended and all its output is flushed; more input means another frame.
                    if (inputDone) return;
                    continue;
                }
                // Mid-frame: with room left over and no input left the decoder is starved.
                if (inputDone && produced < roomGiven) Invalid("zstd: truncated stream");
            }
        }
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ZstdError(nuint code)
    {
        var error = Methods.ZSTD_getErrorCode(code);
        if (error == ZSTD_ErrorCode.ZSTD_error_frameParameter_windowTooLarge)
            Invalid("zstd: frame window larger than 8 MiB (RFC 9659)");
        Invalid($"zstd: corrupt stream ({Methods.ZSTD_getErrorName(code)})");
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Invalid(string detail) => throw new RequestRejectedException(RejectReason.InvalidEncodedBody, detail);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowTooLarge(string coding, long cap) =>
        throw new RequestRejectedException(RejectReason.DecodedBodyTooLarge, $"{coding}: decoded body exceeds the limit of {cap} bytes");

    public void Dispose()
    {
        FreeZstd();
        GC.SuppressFinalize(this);
    }

    // The zstd context is native memory: a connection that forgets Dispose must not leak it.
    ~BodyDecoder() => FreeZstd();

    private void FreeZstd()
    {
        if (_zstd != null)
        {
            Methods.ZSTD_freeDCtx(_zstd);
            _zstd = null;
        }
    }
}
