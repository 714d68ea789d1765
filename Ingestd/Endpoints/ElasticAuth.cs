using Ingestd.Auth;
using Ingestd.Parsing;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints;

/// <summary>
/// Credentials as Elasticsearch clients send them: Basic (the password is the key), ApiKey or
/// Bearer. Open mode (no tenants) stores under tenant <c>default</c>.
/// </summary>
internal sealed class ElasticAuth(TenantDirectory tenants)
{
    private static readonly byte[] OpenTenant = "default"u8.ToArray();

    public byte[] Authenticate(RequestContext ctx)
    {
        if (tenants.IsOpen) return OpenTenant;
        Span<byte> buffer = stackalloc byte[768];
        var key = Credentials.Find(ctx.Head, buffer);
        if (key.IsEmpty || !tenants.TryResolve(key, out var tenant))
            throw new RequestRejectedException(RejectReason.Unauthorized, "missing authentication credentials for REST request");
        ctx.Tenant = tenant;
        return tenant.IdUtf8;
    }
}
