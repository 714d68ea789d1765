using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Dialects.Guardian;

/// <summary>Maps a Guardian request's Content-Type to the body's <see cref="GuardianFormat"/>.</summary>
internal static class GuardianContentType
{
    /// <summary>
    /// Reads the media type (case-insensitive, RFC 9110 §8.3.1), ignoring parameters such as
    /// <c>charset</c>. An empty or absent header means <see cref="GuardianFormat.Auto"/>.
    /// Throws <see cref="RejectReason.UnsupportedMediaType"/> (415) for any other media type.
    /// </summary>
    public static GuardianFormat Parse(ReadOnlySpan<byte> contentTypeHeader)
    {
        var value = contentTypeHeader.Trim(" \t"u8);
        if (value.IsEmpty) return GuardianFormat.Auto;
        int semicolon = value.IndexOf((byte)';');
        var media = (semicolon < 0 ? value : value[..semicolon]).TrimEnd(" \t"u8);

        if (Ascii.EqualsIgnoreCase(media, "application/json"u8)) return GuardianFormat.Json;
        if (Ascii.EqualsIgnoreCase(media, "application/x-ndjson"u8)
            || Ascii.EqualsIgnoreCase(media, "application/jsonl"u8)
            || Ascii.EqualsIgnoreCase(media, "application/x-jsonlines"u8)
            || Ascii.EqualsIgnoreCase(media, "application/jsonlines"u8)) return GuardianFormat.Ndjson;
        if (Ascii.EqualsIgnoreCase(media, "text/plain"u8)) return GuardianFormat.Text;
        if (Ascii.EqualsIgnoreCase(media, "application/octet-stream"u8)) return GuardianFormat.Auto;
        // curl --data (the seed's own idempotency example) labels JSON as a form; detect instead of refusing.
        if (Ascii.EqualsIgnoreCase(media, "application/x-www-form-urlencoded"u8)) return GuardianFormat.Auto;
        ThrowUnsupported(value);
        return default;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowUnsupported(ReadOnlySpan<byte> value)
    {
        // Header bytes are ISO-8859-1 at worst (RFC 9110 §5.5); Latin-1 decodes any of them.
        string text = System.Text.Encoding.Latin1.GetString(value);
        throw new RequestRejectedException(RejectReason.UnsupportedMediaType,
            $"Unsupported Content-Type: {text}. Use application/json, application/x-ndjson, application/jsonl, text/plain or application/octet-stream");
    }
}
