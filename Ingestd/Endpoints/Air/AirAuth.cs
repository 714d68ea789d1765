using System.Text;
using Ingestd.Auth;
using Ingestd.Parsing.Errors;

namespace Ingestd.Endpoints.Air;

/// <summary>
/// Air's <c>Authorization: Bearer &lt;JWT&gt;</c>: the token's <c>sub</c> is the tenant. With no
/// JWT keys configured the Air routes are open and records go to tenant <c>default</c>.
/// </summary>
internal sealed class AirAuth(JwtVerifier initial)
{
    private JwtVerifier _verifier = initial;

    /// <summary>Swaps in new keys (SIGHUP). The old verifier is left to the GC: requests may still hold it.</summary>
    public void Reload(JwtVerifier verifier) => Volatile.Write(ref _verifier, verifier);

    public bool IsOpen => !Volatile.Read(ref _verifier).HasKeys;

    /// <summary>Returns the tenant's UTF-8 id or throws 401 with the reason.</summary>
    public byte[] Authenticate(ReadOnlySpan<byte> authorization, ReadOnlySpan<byte> queryToken)
    {
        var verifier = Volatile.Read(ref _verifier);
        if (!verifier.HasKeys) return TenantDirectory.OpenTenantId;
        ReadOnlySpan<byte> token;
        if (TenantDirectory.HasBearerScheme(authorization)) token = TenantDirectory.TokenFromAuthorization(authorization);
        else if (!queryToken.IsEmpty) token = queryToken;
        else throw new RequestRejectedException(RejectReason.Unauthorized, "missing bearer token");
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!verifier.TryVerify(token, now, out var subject, out var reason))
            throw new RequestRejectedException(RejectReason.Unauthorized, "invalid token: " + reason);
        if (Encoding.UTF8.GetByteCount(subject) > 1024)
            throw new RequestRejectedException(RejectReason.Unauthorized, "invalid token: sub too long");
        return Encoding.UTF8.GetBytes(subject);
    }
}
