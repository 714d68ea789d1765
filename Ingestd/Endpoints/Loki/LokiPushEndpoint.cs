using System.Text;
using Ingestd.Auth;
using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Dialects.Loki;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Loki;

/// <summary>
/// Grafana Loki <c>POST /loki/api/v1/push</c>: JSON (<c>application/json</c>) or snappy-compressed
/// protobuf (anything else, as Loki does); <c>X-Scope-OrgID</c> names the tenant; <c>204</c> on
/// success; errors as plain text, as Loki answers them. With tenants configured, the key comes as
/// Bearer or Basic auth (password) and an <c>X-Scope-OrgID</c>, if sent, must be its tenant.
/// </summary>
internal sealed class LokiPushEndpoint(TenantDirectory tenants, LiveConfig live) : Endpoint
{
    public override string Name => "/loki/api/v1/push";
    public override Dialect Dialect => Dialect.Loki;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;

    public override ContentCodings ParseContentEncoding(ReadOnlySpan<byte> header)
        => Ascii.EqualsIgnoreCase(header.Trim((byte)' '), "snappy"u8) ? ContentCodings.Identity : base.ParseContentEncoding(header);

    public override void Authorize(RequestContext ctx)
    {
        ctx.Head.TryGetHeader("X-Scope-OrgID"u8, out var org);
        org = org.Trim((byte)' ');
        if (org.Length > 256) throw new RequestRejectedException(RejectReason.InvalidEvent, "X-Scope-OrgID too long");
        if (tenants.IsOpen)
        {
            ctx.RecordTenant = org.IsEmpty ? TenantDirectory.OpenTenantId : org.ToArray();
            return;
        }
        Span<byte> buffer = stackalloc byte[768];
        var tenant = tenants.Require(ctx.ClientCertificateSha256, Credentials.Find(ctx.Head, buffer), "authentication required: send the API key as Bearer or Basic auth");
        if (!org.IsEmpty && !org.SequenceEqual(tenant.IdUtf8))
            throw new RequestRejectedException(RejectReason.Forbidden, "X-Scope-OrgID is not the tenant of this key");
        ctx.Tenant = tenant;
        ctx.RecordTenant = tenant.IdUtf8;
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var tenant = ctx.RecordTenant!;
        if (MediaType.Is(ctx.Head.ContentType, "application/json"u8))
            LokiPushParser.ParseJson(body, ctx.ReceivedNs, tenant, ctx.Batch);
        else
        {
            long max = live.Current.Limits.MaxBodyBytes;
            using var scratch = new PooledBuffer(Math.Min(body.Length * 4 + 1024, 1 << 20)) { Cap = max };
            LokiPushParser.ParseProtobuf(body, ctx.ReceivedNs, tenant, ctx.Batch, scratch, max);
        }
        response.SetStatus(204);
    }

    // Loki answers errors with a plain-text line.
    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        int status = Rejection.StatusCode(e.Reason);
        string text = e.Reason switch
        {
            RejectReason.Backpressure => "ingestion rate limit exceeded (server saturated); retry later",
            RejectReason.Unauthorized => "no org id or credentials: " + e.Detail,
            _ => e.Detail,
        };
        response.SetStatus(status);
        response.AddHeader("Content-Type"u8, "text/plain; charset=utf-8"u8);
        response.Body.Write(Encoding.UTF8.GetBytes(text + "\n"));
    }
}
