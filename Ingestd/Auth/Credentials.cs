using System.Buffers.Text;
using Ingestd.Parsing.Http;

namespace Ingestd.Auth;

/// <summary>
/// Finds an API key in the places shippers put one: <c>Authorization: Bearer KEY</c>,
/// <c>Authorization: Basic base64(user:KEY)</c> (the password is the key; Loki and
/// Elasticsearch clients use this), or a named header such as <c>X-API-Key</c>.
/// </summary>
internal static class Credentials
{
    /// <summary>Copies the key into <paramref name="buffer"/> (Basic needs decoding) and returns it; empty when none.</summary>
    public static ReadOnlySpan<byte> Find(HttpRequestHead head, Span<byte> buffer, ReadOnlySpan<byte> keyHeader = default)
    {
        if (head.TryGetHeader("Authorization"u8, out var auth))
        {
            if (TenantDirectory.HasBearerScheme(auth)) return TenantDirectory.TokenFromAuthorization(auth);
            if (auth.Length > 6 && System.Text.Ascii.EqualsIgnoreCase(auth[..6], "Basic "u8))
            {
                var encoded = auth[6..].Trim((byte)' ');
                if (Base64.DecodeFromUtf8(encoded, buffer, out _, out int written) == System.Buffers.OperationStatus.Done)
                {
                    var decoded = buffer[..written];
                    int colon = decoded.IndexOf((byte)':');
                    return colon < 0 ? decoded : decoded[(colon + 1)..];
                }
                return default;
            }
            if (auth.Length > 7 && System.Text.Ascii.EqualsIgnoreCase(auth[..7], "ApiKey "u8))
            {
                // Elasticsearch API keys are base64(id:key); the whole string is the credential here.
                return auth[7..].Trim((byte)' ');
            }
        }
        if (!keyHeader.IsEmpty && head.TryGetHeader(keyHeader, out var key)) return key.Trim((byte)' ');
        return default;
    }
}
