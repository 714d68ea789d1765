using System.Buffers;

namespace Ingestd.Parsing.Http;

/// <summary>Byte constants and character classes from RFC 9110 §5.6 / RFC 9112, shared by the head parser and the chunked decoder.</summary>
internal static class HttpChars
{
    public const byte CR = (byte)'\r';
    public const byte LF = (byte)'\n';
    public const byte SP = (byte)' ';
    public const byte HTAB = (byte)'\t';
    public const byte Colon = (byte)':';
    public const byte Comma = (byte)',';
    public const byte Semicolon = (byte)';';
    public const byte Slash = (byte)'/';
    public const byte Question = (byte)'?';
    public const byte Asterisk = (byte)'*';
    public const byte EqualsSign = (byte)'=';
    public const byte DoubleQuote = (byte)'"';
    public const byte Backslash = (byte)'\\';

    /// <summary>OWS = *( SP / HTAB ), RFC 9110 §5.6.3.</summary>
    public static ReadOnlySpan<byte> Ows => " \t"u8;

    /// <summary>tchar, RFC 9110 §5.6.2: token = 1*tchar.</summary>
    public static readonly SearchValues<byte> Tchar = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>Bytes allowed in a request-target: visible ASCII except '#' (a fragment is never sent, RFC 9112 §3.2).</summary>
    public static readonly SearchValues<byte> TargetChar = SearchValues.Create(BuildTargetChars());

    /// <summary>Bytes never allowed in a field value: CTLs other than HTAB, and DEL (RFC 9110 §5.5).</summary>
    public static readonly SearchValues<byte> InvalidFieldValueChar = SearchValues.Create(BuildInvalidFieldValueChars());

    private static byte[] BuildTargetChars()
    {
        var list = new List<byte>();
        for (int b = 0x21; b <= 0x7E; b++)
        {
            if (b != '#') list.Add((byte)b);
        }
        return list.ToArray();
    }

    private static byte[] BuildInvalidFieldValueChars()
    {
        var list = new List<byte>();
        for (int b = 0x00; b <= 0x1F; b++)
        {
            if (b != HTAB) list.Add((byte)b);
        }
        list.Add(0x7F);
        return list.ToArray();
    }
}
