using System.Buffers;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Errors;
using static Ingestd.Parsing.Http.HttpChars;

namespace Ingestd.Parsing.Http;

/// <summary>
/// Decodes a chunked body (RFC 9112 §7.1) into a <see cref="PooledBuffer"/>. A byte-level state
/// machine whose state persists across calls, so input may be split anywhere; chunk data is
/// copied in bulk. One instance per connection, <see cref="Reset"/> between requests.
/// </summary>
internal sealed class ChunkedBodyDecoder
{
    private enum State : byte
    {
        Size,           // hex digits of chunk-size
        // chunk-ext (RFC 9112 §7.1.1), checked byte by byte and then dropped:
        ExtBws,         // BWS after the size or after a value: must lead to ';'
        ExtNameStart,   // after ';' (and BWS): a chunk-ext-name must start
        ExtName,        // in a name: more tchars, BWS, '=', ';' or CR
        ExtNameBws,     // BWS after a name: '=' or ';'
        ExtValueStart,  // after '=' (and BWS): a token or a quoted-string must start
        ExtToken,       // in a token value: more tchars, BWS, ';' or CR
        ExtQuoted,      // in a quoted-string
        ExtQuotedPair,  // after a backslash in a quoted-string
        ExtQuotedEnd,   // right after the closing quote: BWS, ';' or CR
        SizeLF,         // CR of the chunk-size line seen
        Data,
        DataCR,
        DataLF,
        TrailerLineStart,
        TrailerLine,
        FinalLF,        // CR of the final empty line seen
        Done,
    }

    // More hex digits than this is not a size but a stream of leading zeros.
    private const int MaxSizeDigits = 64;

    private State _state;
    private long _chunkRemaining;
    private int _sizeDigits;
    private int _extensionBytes;
    private int _trailerBytes;
    private byte[] _line = new byte[128];
    private int _lineLength;

    public ChunkedBodyDecoder() => Reset();

    /// <summary>True once the last chunk, the trailer section and the final CRLF have been consumed.</summary>
    public bool IsComplete => _state == State.Done;

    public void Reset()
    {
        _state = State.Size;
        _chunkRemaining = 0;
        _sizeDigits = 0;
        _extensionBytes = 0;
        _trailerBytes = 0;
        _lineLength = 0;
    }

    /// <summary>
    /// Decodes as much of <paramref name="input"/> as there is, appending chunk data to <paramref name="output"/>.
    /// False: all of the input was consumed (<paramref name="consumed"/> = <paramref name="examined"/> = its end)
    /// and more is needed. True: the body is complete and <paramref name="consumed"/> is right after it;
    /// anything after that belongs to the next request.
    /// </summary>
    /// <exception cref="RequestRejectedException">Malformed framing, a limit, or <paramref name="output"/>'s cap.</exception>
    public bool Decode(ReadOnlySequence<byte> input, PooledBuffer output, HttpLimits limits,
        out SequencePosition consumed, out SequencePosition examined)
    {
        if (_state == State.Done)
        {
            consumed = examined = input.Start;
            return true;
        }

        try
        {
            if (input.IsSingleSegment)
            {
                int used = Process(input.FirstSpan, output, limits);
                if (_state == State.Done)
                {
                    consumed = examined = input.GetPosition(used);
                    return true;
                }
            }
            else
            {
                long total = 0;
                foreach (var segment in input)
                {
                    int used = Process(segment.Span, output, limits);
                    total += used;
                    if (_state == State.Done)
                    {
                        consumed = examined = input.GetPosition(total);
                        return true;
                    }
                }
            }
        }
        catch (BufferLimitExceededException e)
        {
            // The output's cap is the request's body limit.
            throw new RequestRejectedException(RejectReason.BodyTooLarge) { Size = e.Size };
        }

        consumed = examined = input.End;
        return false;
    }

    /// <summary>Runs the state machine over <paramref name="span"/>; returns how many bytes it used (all, unless the body ended).</summary>
    private int Process(ReadOnlySpan<byte> span, PooledBuffer output, HttpLimits limits)
    {
        int i = 0;
        while (i < span.Length)
        {
            if (_state == State.Data)
            {
                i += CopyData(span[i..], output);
                if (_chunkRemaining == 0) _state = State.DataCR;
                continue;
            }

            byte b = span[i++];
            switch (_state)
            {
                case State.Size:
                    OnSizeByte(b, output);
                    break;

                case State.ExtBws or State.ExtNameStart or State.ExtName or State.ExtNameBws or State.ExtValueStart
                    or State.ExtToken or State.ExtQuoted or State.ExtQuotedPair or State.ExtQuotedEnd:
                    OnExtensionByte(b, limits);
                    break;

                case State.SizeLF:
                    if (b != LF) Rejection.Throw(RejectReason.BareCarriageReturn);
                    _state = _chunkRemaining == 0 ? State.TrailerLineStart : State.Data;
                    break;

                case State.DataCR:
                    if (b != CR) Rejection.Throw(RejectReason.InvalidChunkTerminator);
                    _state = State.DataLF;
                    break;

                case State.DataLF:
                    if (b != LF) Rejection.Throw(RejectReason.InvalidChunkTerminator);
                    _state = State.Size;
                    _sizeDigits = 0;
                    _extensionBytes = 0;
                    break;

                case State.TrailerLineStart:
                    if (b == CR)
                    {
                        _state = State.FinalLF;
                        break;
                    }
                    _lineLength = 0;
                    _state = State.TrailerLine;
                    OnTrailerByte(b, limits);
                    break;

                case State.TrailerLine:
                    OnTrailerByte(b, limits);
                    break;

                case State.FinalLF:
                    if (b != LF) Rejection.Throw(RejectReason.BareCarriageReturn);
                    _state = State.Done;
                    return i;
            }
        }
        return i;
    }

    // chunk-size = 1*HEXDIG (RFC 9112 §7.1)
    private void OnSizeByte(byte b, PooledBuffer output)
    {
        int digit = HexValue(b);
        if (digit >= 0)
        {
            if (_chunkRemaining > (long.MaxValue >> 4)) Rejection.Throw(RejectReason.ChunkSizeOverflow);
            if (++_sizeDigits > MaxSizeDigits) Rejection.Throw(RejectReason.InvalidChunkSize, "chunk size has too many digits");
            _chunkRemaining = (_chunkRemaining << 4) | (uint)digit;
            return;
        }

        if (_sizeDigits == 0) Rejection.Throw(RejectReason.InvalidChunkSize, "chunk size missing");
        // Refuse up front a chunk that could never fit, before reading its data: the body is too large (413),
        // not malformed.
        if (output.Length + _chunkRemaining > output.Cap)
            throw new RequestRejectedException(RejectReason.BodyTooLarge, $"a chunk of {_chunkRemaining} bytes takes the body beyond the limit of {output.Cap} bytes") { Size = output.Length + _chunkRemaining };

        switch (b)
        {
            case CR: _state = State.SizeLF; break;
            case Semicolon: _state = State.ExtNameStart; break;
            case SP or HTAB: _state = State.ExtBws; break;
            case LF: Rejection.Throw(RejectReason.InvalidChunkSize, "chunk-size line ends in LF without CR"); break;
            default: Rejection.Throw(RejectReason.InvalidChunkSize); break;
        }
    }

    // chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
    // chunk-ext-name = token, chunk-ext-val = token / quoted-string (RFC 9112 §7.1.1; quoted-string: RFC 9110 §5.6.4)
    // No extension means anything to us, but a line that breaks the grammar is not one we can trust to frame the body.
    private void OnExtensionByte(byte b, HttpLimits limits)
    {
        if (b == CR && _state is State.ExtName or State.ExtToken or State.ExtQuotedEnd)
        {
            _state = State.SizeLF;
            return;
        }
        CountExtension(limits);
        bool bws = b == SP || b == HTAB;
        _state = _state switch
        {
            State.ExtBws when bws => State.ExtBws,
            State.ExtBws when b == Semicolon => State.ExtNameStart,
            State.ExtNameStart when bws => State.ExtNameStart,
            State.ExtNameStart or State.ExtName when Tchar.Contains(b) => State.ExtName,
            State.ExtName or State.ExtNameBws when bws => State.ExtNameBws,
            State.ExtName or State.ExtNameBws when b == Semicolon => State.ExtNameStart,
            State.ExtName or State.ExtNameBws when b == EqualsSign => State.ExtValueStart,
            State.ExtValueStart when bws => State.ExtValueStart,
            State.ExtValueStart when b == DoubleQuote => State.ExtQuoted,
            State.ExtValueStart or State.ExtToken when Tchar.Contains(b) => State.ExtToken,
            State.ExtToken or State.ExtQuotedEnd when bws => State.ExtBws,
            State.ExtToken or State.ExtQuotedEnd when b == Semicolon => State.ExtNameStart,
            State.ExtQuoted when b == DoubleQuote => State.ExtQuotedEnd,
            State.ExtQuoted when b == Backslash => State.ExtQuotedPair,
            // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text; quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            State.ExtQuoted or State.ExtQuotedPair when b == HTAB || (b >= 0x20 && b != 0x7F) => State.ExtQuoted,
            _ => InvalidExtension(b),
        };
    }

    private static State InvalidExtension(byte b)
    {
        if (b == LF) Rejection.Throw(RejectReason.InvalidChunkSize, "chunk-size line ends in LF without CR");
        if (b == CR) Rejection.Throw(RejectReason.InvalidChunkSize, "chunk extension ends where a name or value must follow (RFC 9112 §7.1.1)");
        if ((b < 0x20 && b != HTAB) || b == 0x7F) Rejection.Throw(RejectReason.InvalidChunkSize, "control character in a chunk extension");
        Rejection.Throw(RejectReason.InvalidChunkSize, "malformed chunk extension: expected *( BWS \";\" BWS token [ BWS \"=\" BWS ( token / quoted-string ) ] ) (RFC 9112 §7.1.1)");
        return default;
    }

    private void CountExtension(HttpLimits limits)
    {
        if (++_extensionBytes > limits.MaxChunkExtensionBytes)
        {
            Rejection.Throw(RejectReason.InvalidChunkSize, "chunk extension exceeds the size limit");
        }
    }

    private int CopyData(ReadOnlySpan<byte> source, PooledBuffer output)
    {
        int available = (int)Math.Min(_chunkRemaining, source.Length);
        int copied = 0;
        while (copied < available)
        {
            // Near its cap the buffer may hand out less than asked, or throw its own limit (translated in Decode).
            var destination = output.GetSpan(available - copied);
            int n = Math.Min(destination.Length, available - copied);
            source.Slice(copied, n).CopyTo(destination);
            output.Advance(n);
            copied += n;
        }
        _chunkRemaining -= copied;
        return copied;
    }

    // trailer-section = *( field-line CRLF ): validated like header fields, then dropped (RFC 9112 §7.1.2).
    private void OnTrailerByte(byte b, HttpLimits limits)
    {
        if (++_trailerBytes > limits.MaxTrailerBytes) Rejection.Throw(RejectReason.HeadersTooLarge, "trailer fields exceed the size limit");
        if (b != LF)
        {
            if (_lineLength == _line.Length) Array.Resize(ref _line, _line.Length * 2);
            _line[_lineLength++] = b;
            return;
        }

        var line = _line.AsSpan(0, _lineLength);
        if (line.IsEmpty || line[^1] != CR)
        {
            Rejection.Throw(line.Contains(CR) ? RejectReason.BareCarriageReturn : RejectReason.InvalidHeader);
        }
        HttpRequestParser.SplitFieldLine(line[..^1], out _, out _);
        _lineLength = 0;
        _state = State.TrailerLineStart;
    }

    private static int HexValue(byte b)
    {
        uint d = (uint)(b - '0');
        if (d <= 9) return (int)d;
        uint l = (uint)((b | 0x20) - 'a');
        return l <= 5 ? (int)l + 10 : -1;
    }
}
