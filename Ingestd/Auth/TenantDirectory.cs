using System.Security.Cryptography;
using System.Text;
using Ingestd.Config;

namespace Ingestd.Auth;

/// <summary>
/// Maps API keys to tenants. With no tenants configured the daemon is open: every request
/// is accepted and records carry the tenant the dialect names (e.g. Astralog's project_id).
/// </summary>
internal sealed class TenantDirectory
{
    private readonly Dictionary<string, Tenant> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tenant>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public TenantDirectory(IReadOnlyList<TenantConfig> tenants)
    {
        foreach (var t in tenants)
        {
            var tenant = new Tenant(t.Id, t.RateLimitPerMinute);
            foreach (var key in t.Keys) _byKey[key] = tenant;
        }
        _lookup = _byKey.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public bool IsOpen => _byKey.Count == 0;

    /// <summary>Finds the tenant owning <paramref name="key"/> (UTF-8 bytes from a header), without allocating.</summary>
    public bool TryResolve(ReadOnlySpan<byte> key, out Tenant tenant)
    {
        tenant = null!;
        if (key.IsEmpty || key.Length > 512) return false;
        Span<char> chars = stackalloc char[512];
        if (!Encoding.UTF8.TryGetChars(key, chars, out int n)) return false;
        if (!_lookup.TryGetValue(chars[..n], out var found)) return false;
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
