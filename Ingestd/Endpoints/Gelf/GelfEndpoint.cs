using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Gelf;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Gelf;

/// <summary>
/// GELF over HTTP, as a Graylog GELF HTTP input takes it: <c>POST /gelf</c>, one GELF JSON message
/// per request, uncompressed, gzip or zlib (graypy labels its zlib stream <c>gzip,deflate</c>), and
/// <c>202 Accepted</c> with an empty body. With tenants configured, the key comes as Bearer or Basic
/// auth (password) or <c>X-API-Key</c>; graypy sends no headers of its own, so put the key in
/// the URL's user info where the client allows it.
/// </summary>
internal sealed class GelfEndpoint(TenantDirectory tenants) : Endpoint
{
    public override string Name => "/gelf";
    public override Dialect Dialect => Dialect.Gelf;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;

    public override void Authorize(RequestContext ctx)
    {
        if (tenants.IsOpen)
        {
            ctx.RecordTenant = TenantDirectory.OpenTenantId;
            return;
        }
        Span<byte> buffer = stackalloc byte[768];
        var tenant = tenants.Require(ctx.ClientCertificateSha256, Credentials.Find(ctx.Head, buffer, "X-API-Key"u8), "authentication required: send the API key as Bearer or Basic auth, or X-API-Key");
        ctx.Tenant = tenant;
        ctx.RecordTenant = tenant.IdUtf8;
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        GelfParser.Parse(body, ctx.ReceivedNs, ctx.RecordTenant!, ctx.Batch);
        response.SetStatus(202);
    }
}
