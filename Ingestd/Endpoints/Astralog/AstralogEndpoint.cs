using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Astralog;

/// <summary>
/// Astralog <c>POST /v1/drain</c>: <c>Authorization: &lt;token&gt;</c> (raw; <c>Bearer</c> also taken),
/// <c>{"events":[…]}</c>, <c>202 {"status":"accepted"}</c>. With tenants configured, every event's
/// project_id must be the token's tenant.
/// </summary>
internal sealed class AstralogEndpoint(TenantDirectory tenants) : Endpoint
{
    public override string Name => "/v1/drain";
    public override Dialect Dialect => Dialect.Astralog;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;

    public override void Authorize(RequestContext ctx)
    {
        if (tenants.IsOpen) return;
        if (!ctx.Head.TryGetHeader("Authorization"u8, out var value)
            || !tenants.TryResolve(TenantDirectory.TokenFromAuthorization(value), out var tenant))
            throw new RequestRejectedException(RejectReason.Unauthorized);
        ctx.Tenant = tenant;
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        AstralogParser.Parse(body, ctx.ReceivedNs, ctx.Tenant is null ? default : ctx.Tenant.IdUtf8, ctx.Batch);
        response.Json(202, """{"status":"accepted"}"""u8);
    }

    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        // The seed documents exactly this body for 401.
        if (e.Reason == RejectReason.Unauthorized) response.Json(401, """{"error":"unauthorized"}"""u8);
        else base.WriteError(ctx, e, response);
    }
}
