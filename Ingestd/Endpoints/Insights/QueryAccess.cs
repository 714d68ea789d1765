using System.Security.Cryptography;
using System.Text;
using Ingestd.Auth;
using Ingestd.Config;
using Ingestd.Endpoints.Air;
using Ingestd.Parsing.Errors;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// Who may read what through the query API and the live tail. A key in <c>[auth] admin_keys</c> reads every tenant; a
/// tenant's key (or mapped client certificate, or an Air JWT, whose <c>sub</c> is the tenant) reads that tenant only.
/// Open mode (no tenants, no admin keys, no JWT keys) reads everything, and start-up warns about it.
/// The key goes in <c>Authorization: Bearer KEY</c> (or the raw key), <c>X-API-Key</c>, or <c>?access_token=</c>
/// for browsers' EventSource, which cannot set headers.
/// </summary>
internal sealed class QueryAccess(TenantDirectory tenants, AirAuth air, LiveConfig live)
{
    /// <summary>Whether reading is open to anyone (the start-up warning says so).</summary>
    public bool IsOpen => tenants.IsOpen && air.IsOpen && live.Current.Auth.AdminKeys.Count == 0;

    /// <summary>The tenant the request is confined to; null when it may read every tenant. Throws 401 otherwise.</summary>
    public string? Resolve(RequestContext ctx, string? queryToken)
    {
        Span<byte> buffer = stackalloc byte[512];
        var key = Credentials.Find(ctx.Head, buffer, "X-API-Key"u8);
        if (key.IsEmpty && ctx.Head.TryGetHeader("Authorization"u8, out var raw)) key = raw.Trim((byte)' ');
        if (key.IsEmpty && queryToken is { Length: > 0 }) key = Encoding.UTF8.GetBytes(queryToken);

        if (!key.IsEmpty)
        {
            foreach (var admin in live.Current.Auth.AdminKeys)
                if (CryptographicOperations.FixedTimeEquals(key, Encoding.UTF8.GetBytes(admin))) return null;
        }
        if (tenants.TryResolveCertificate(ctx.ClientCertificateSha256, out var byCertificate)) return byCertificate.Id;
        if (!key.IsEmpty && tenants.TryResolve(key, out var tenant)) return tenant.Id;
        if (IsOpen) return null;
        if (!key.IsEmpty && !air.IsOpen)
        {
            try
            {
                // An Air JWT names its tenant in sub.
                return Encoding.UTF8.GetString(air.Authenticate(default, key));
            }
            catch (RequestRejectedException)
            {
                // Fall through to the one refusal below: the key is neither an admin's, a tenant's nor a valid JWT.
            }
        }
        throw new RequestRejectedException(RejectReason.Unauthorized,
            key.IsEmpty
                ? "missing key: send Authorization: Bearer <tenant key or admin key> (or X-API-Key, or ?access_token=)"
                : "unknown key: not an admin key (auth.admin_keys), a tenant's key, nor a valid Air JWT");
    }
}
