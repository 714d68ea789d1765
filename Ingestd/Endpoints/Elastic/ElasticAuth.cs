using Ingestd.Auth;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints.Elastic;

/// <summary>
/// Credentials as Elasticsearch clients send them: Basic (the password is the key), ApiKey or
/// Bearer. Open mode (no tenants) stores under tenant <c>default</c>.
/// </summary>
internal sealed class ElasticAuth(TenantDirectory tenants)
{
    public byte[] Authenticate(RequestContext ctx)
    {
        if (tenants.IsOpen) return TenantDirectory.OpenTenantId;
        Span<byte> buffer = stackalloc byte[768];
        var tenant = tenants.Require(ctx.ClientCertificateSha256, Credentials.Find(ctx.Head, buffer), "missing authentication credentials for REST request");
        ctx.Tenant = tenant;
        return tenant.IdUtf8;
    }
}
