using System.Security.Cryptography;
using System.Text;
using Ingestd.Config;
using Ingestd.Parsing.Errors;

namespace Ingestd.Auth;

/// <summary>
/// Maps API keys to tenants. With no tenants configured the daemon is open: every request
/// is accepted and records carry the tenant the dialect names (e.g. Astralog's project_id).
/// </summary>
internal sealed class TenantDirectory
{
    // Immutable; a reload swaps in a new one, so lookups need no lock.
    private sealed class Snapshot
    {
        public readonly Dictionary<string, Tenant> ByKey = new(StringComparer.Ordinal);
        public readonly Dictionary<string, Tenant>.AlternateLookup<ReadOnlySpan<char>> Lookup;
        public readonly Dictionary<string, Tenant> ByCertificate = new(StringComparer.Ordinal);

        public Snapshot(IReadOnlyList<TenantConfig> tenants)
        {
            foreach (var t in tenants)
            {
                var tenant = new Tenant(t.Id, t.RateLimitPerMinute, t.Streams);
                foreach (var key in t.Keys) ByKey[key] = tenant;
                foreach (var fingerprint in t.ClientCertificateSha256) ByCertificate[fingerprint] = tenant;
            }
            Lookup = ByKey.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    private Snapshot _snapshot;

    /// <summary>The tenant records carry in open mode when the request names none.</summary>
    public static readonly byte[] OpenTenantId = "default"u8.ToArray();

    public TenantDirectory(IReadOnlyList<TenantConfig> tenants) => _snapshot = new Snapshot(tenants);

    /// <summary>Replaces every tenant and key at once (SIGHUP).</summary>
    public void Reload(IReadOnlyList<TenantConfig> tenants) => Volatile.Write(ref _snapshot, new Snapshot(tenants));

    // A tenant known only by its client certificate closes the daemon to anonymous clients too.
    public bool IsOpen
    {
        get
        {
            var snapshot = Volatile.Read(ref _snapshot);
            return snapshot.ByKey.Count == 0 && snapshot.ByCertificate.Count == 0;
        }
    }

    /// <summary>
    /// The tenant mapped (<c>client_certificate_sha256</c>) to the client certificate the connection's TLS handshake
    /// verified; false on a plain connection, without a certificate, or for an unmapped one.
    /// </summary>
    public bool TryResolveCertificate(string? clientCertificateSha256, out Tenant tenant)
    {
        tenant = null!;
        if (clientCertificateSha256 is not string fingerprint) return false;
        if (!Volatile.Read(ref _snapshot).ByCertificate.TryGetValue(fingerprint, out var found)) return false;
        tenant = found;
        return true;
    }

    /// <summary>
    /// The tenant of the connection's mapped client certificate, else of the request's key; 401 with
    /// <paramref name="refusal"/> when neither is known. A mapped certificate wins over any key sent with it.
    /// </summary>
    public Tenant Require(string? clientCertificateSha256, ReadOnlySpan<byte> key, string refusal)
        => TryResolveCertificate(clientCertificateSha256, out var tenant) ? tenant : Require(key, refusal);

    /// <summary>The key's tenant; 401 with <paramref name="refusal"/> when the key is missing or unknown.</summary>
    public Tenant Require(ReadOnlySpan<byte> key, string refusal)
    {
        if (!TryResolve(key, out var tenant)) throw new RequestRejectedException(RejectReason.Unauthorized, refusal);
        return tenant;
    }

    /// <summary>Finds the tenant owning <paramref name="key"/> (UTF-8 bytes from a header), without allocating.</summary>
    public bool TryResolve(ReadOnlySpan<byte> key, out Tenant tenant)
    {
        tenant = null!;
        if (key.IsEmpty || key.Length > 512) return false;
        Span<char> chars = stackalloc char[512];
        if (!Encoding.UTF8.TryGetChars(key, chars, out int n)) return false;
        if (!Volatile.Read(ref _snapshot).Lookup.TryGetValue(chars[..n], out var found)) return false;
        tenant = found;
        return true;
    }

    /// <summary>
    /// Reads a credential from an Authorization value: either the raw token (Astralog) or
    /// <c>Bearer &lt;token&gt;</c>; the scheme is matched case-insensitively (RFC 9110 §11.1).
    /// </summary>
    /// <summary>True when an Authorization value uses the Bearer scheme (RFC 6750 §2.1).</summary>
    public static bool HasBearerScheme(ReadOnlySpan<byte> value)
        => value.Length > 7 && Ascii.EqualsIgnoreCase(value[..7], "Bearer "u8);

    public static ReadOnlySpan<byte> TokenFromAuthorization(ReadOnlySpan<byte> value)
    {
        if (value.Length > 7 && Ascii.EqualsIgnoreCase(value[..7], "Bearer "u8)) return value[7..].Trim((byte)' ');
        return value;
    }
}
