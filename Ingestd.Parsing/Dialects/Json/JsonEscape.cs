namespace Ingestd.Parsing.Dialects.Json;

/// <summary>
/// Writes UTF-8 text as the inside of a JSON string (RFC 8259 §7): quote, backslash and control
/// characters are escaped, everything else (including non-ASCII UTF-8) is copied as is. The
/// input must already be valid UTF-8. Used for synthesised events and for response bodies.
/// </summary>
internal static class JsonEscape
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    // Bytes that need an escape: the controls below 0x20, '"' and '\'.
    private static readonly System.Buffers.SearchValues<byte> Special =
        System.Buffers.SearchValues.Create("\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\"\\"u8);

    /// <summary>The escaped length of <paramref name="text"/> (without surrounding quotes).</summary>
    public static long EscapedLength(ReadOnlySpan<byte> text)
    {
        long length = text.Length;
        int at = text.IndexOfAny(Special);
        while (at >= 0)
        {
            byte b = text[at];
            length += b is (byte)'"' or (byte)'\\' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\b' or (byte)'\f' ? 1 : 5;
            text = text[(at + 1)..];
            at = text.IndexOfAny(Special);
        }
        return length;
    }

    /// <summary>Writes the escaped text into <paramref name="dest"/>, which must hold <see cref="EscapedLength"/> bytes. Returns the bytes written.</summary>
    public static int Write(ReadOnlySpan<byte> text, Span<byte> dest)
    {
        int written = 0;
        while (true)
        {
            int at = text.IndexOfAny(Special);
            if (at < 0)
            {
                text.CopyTo(dest[written..]);
                return written + text.Length;
            }
            text[..at].CopyTo(dest[written..]);
            written += at;
            byte b = text[at];
            dest[written++] = (byte)'\\';
            switch (b)
            {
                case (byte)'"': dest[written++] = (byte)'"'; break;
                case (byte)'\\': dest[written++] = (byte)'\\'; break;
                case (byte)'\n': dest[written++] = (byte)'n'; break;
                case (byte)'\r': dest[written++] = (byte)'r'; break;
                case (byte)'\t': dest[written++] = (byte)'t'; break;
                case (byte)'\b': dest[written++] = (byte)'b'; break;
                case (byte)'\f': dest[written++] = (byte)'f'; break;
                default:
                    dest[written++] = (byte)'u';
                    dest[written++] = (byte)'0';
                    dest[written++] = (byte)'0';
                    dest[written++] = Hex[b >> 4];
                    dest[written++] = Hex[b & 0xF];
                    break;
            }
            text = text[(at + 1)..];
        }
    }

    /// <summary>Writes <c>"text"</c> (quoted and escaped) to <paramref name="output"/>.</summary>
    public static void WriteQuoted(System.Buffers.IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        long escaped = EscapedLength(text);
        if (escaped > int.MaxValue - 2) throw new ArgumentOutOfRangeException(nameof(text));
        int size = (int)escaped + 2;
        var dest = output.GetSpan(size);
        dest[0] = (byte)'"';
        int n = Write(text, dest[1..]);
        dest[n + 1] = (byte)'"';
        output.Advance(size);
    }

    /// <summary>
    /// Writes bytes that may not be UTF-8 (a header value echoed back) quoted and escaped: invalid sequences become
    /// U+FFFD first, through a string; valid text takes the span path.
    /// </summary>
    public static void WriteQuotedLenient(System.Buffers.IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes)) WriteQuoted(output, bytes);
        else WriteQuoted(output, System.Text.Encoding.UTF8.GetString(bytes));
    }

    /// <summary>Writes a UTF-16 string quoted and escaped (error reasons and texts), through a pooled array.</summary>
    public static void WriteQuoted(System.Buffers.IBufferWriter<byte> output, string text)
    {
        var utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int length = System.Text.Encoding.UTF8.GetBytes(text, utf8);
            WriteQuoted(output, utf8.AsSpan(0, length));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
        }
    }
}
