using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Encoding;

/// <summary>Reads a <c>Content-Encoding</c> field value (RFC 9110 §8.4).</summary>
internal static class ContentCodingHeader
{
    /// <summary>
    /// Returns the codings applied to the body, in the order listed. The field is a comma-separated
    /// list (RFC 9110 §5.6.1) and codings are case-insensitive (§8.4.1). <c>identity</c> entries and
    /// empty list elements are ignored; an unknown coding, or more than
    /// <see cref="ContentCodings.MaxCount"/> real ones, is refused with 415.
    /// </summary>
    public static ContentCodings Parse(ReadOnlySpan<byte> headerValue)
    {
        var result = ContentCodings.Identity;
        var rest = headerValue;
        while (true)
        {
            int comma = rest.IndexOf((byte)',');
            var element = TrimOws(comma < 0 ? rest : rest[..comma]);
            if (!element.IsEmpty)
            {
                var coding = Identify(element);
                if (coding != ContentCoding.Identity)
                {
                    if (result.Count == ContentCodings.MaxCount) ThrowTooMany(headerValue);
                    result = result.Then(coding);
                }
            }
            if (comma < 0) return result;
            rest = rest[(comma + 1)..];
        }
    }

    private static ContentCoding Identify(ReadOnlySpan<byte> token)
    {
        if (EqualsIgnoreCase(token, "gzip"u8) || EqualsIgnoreCase(token, "x-gzip"u8)) return ContentCoding.Gzip;
        if (EqualsIgnoreCase(token, "br"u8)) return ContentCoding.Brotli;
        if (EqualsIgnoreCase(token, "zstd"u8)) return ContentCoding.Zstd;
        if (EqualsIgnoreCase(token, "deflate"u8)) return ContentCoding.Deflate;
        if (EqualsIgnoreCase(token, "identity"u8)) return ContentCoding.Identity;
        ThrowUnknown(token);
        return default;
    }

    // Tokens are ASCII, so folding bit 0x20 of letters is a complete case-insensitive match.
    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> token, ReadOnlySpan<byte> lowerName)
    {
        if (token.Length != lowerName.Length) return false;
        for (int i = 0; i < token.Length; i++)
        {
            byte b = token[i];
            if ((uint)(b - 'A') <= 'Z' - 'A') b |= 0x20;
            if (b != lowerName[i]) return false;
        }
        return true;
    }

    private static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s)
    {
        int start = 0, end = s.Length;
        while (start < end && (s[start] == (byte)' ' || s[start] == (byte)'\t')) start++;
        while (end > start && (s[end - 1] == (byte)' ' || s[end - 1] == (byte)'\t')) end--;
        return s[start..end];
    }

    private static void ThrowUnknown(ReadOnlySpan<byte> token) =>
        Rejection.Throw(RejectReason.UnsupportedContentEncoding,
            $"unsupported content coding '{System.Text.Encoding.Latin1.GetString(token)}' (use identity, gzip, deflate, br or zstd)");

    private static void ThrowTooMany(ReadOnlySpan<byte> headerValue) =>
        Rejection.Throw(RejectReason.UnsupportedContentEncoding,
            $"more than {ContentCodings.MaxCount} content codings are not supported: '{System.Text.Encoding.Latin1.GetString(TrimOws(headerValue))}'");
}
