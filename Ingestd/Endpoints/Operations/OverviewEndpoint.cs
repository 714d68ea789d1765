using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints.Operations;

/// <summary>
/// <c>GET /v1/overview</c>: the console's charts as JSON (<see cref="ConsoleHistory"/>): the last minutes of events/s and
/// bytes/s per dialect and tenant, ring fill, block write and fsync latency, segments and disk use, output lag. Access
/// as for queries: a tenant's key (<c>Authorization</c>, raw or Bearer, or <c>X-API-Key</c>) sees only its tenant's traffic;
/// open mode sees every tenant.
/// </summary>
internal sealed class OverviewEndpoint(TenantDirectory tenants, ConsoleHistory history) : Endpoint
{
    public override string Name => "/v1/overview";
    public override string Allow => "GET";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Get;

    public override void Authorize(RequestContext ctx)
    {
        if (tenants.IsOpen) return;
        if (tenants.TryResolveCertificate(ctx.ClientCertificateSha256, out var certified))
        {
            ctx.Tenant = certified;
            return;
        }
        ReadOnlySpan<byte> key = default;
        if (ctx.Head.TryGetHeader("Authorization"u8, out var authorization)) key = TenantDirectory.TokenFromAuthorization(authorization);
        else if (ctx.Head.TryGetHeader("X-API-Key"u8, out var apiKey)) key = apiKey.Trim((byte)' ');
        ctx.Tenant = tenants.Require(key, "send a tenant's key: Authorization: Bearer <key> or X-API-Key");
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        using (var json = response.JsonWriter(200)) history.WriteJson(json, ctx.Tenant?.Id);
        // Figures of the moment: never from a cache.
        response.AddHeader("Cache-Control"u8, "no-store"u8);
    }
}
