using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Journal;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Journal;

/// <summary>
/// <c>POST /upload</c> as <c>systemd-journal-remote</c> serves it to <c>systemd-journal-upload</c>:
/// a chunked body in the Journal Export Format (<c>Content-Type: application/vnd.fdo.journal</c>),
/// answered <c>202 Accepted</c> with <c>OK.</c> (the uploader counts any status from 300 up as a
/// failed upload). With tenants configured, the key comes as Bearer or Basic auth; the uploader
/// sends no headers of its own, but curl turns user info in <c>--url=http://user:KEY@host:port</c>
/// into Basic auth.
/// </summary>
internal sealed class JournalUploadEndpoint(TenantDirectory tenants) : Endpoint
{
    public override string Name => "/upload";
    public override Dialect Dialect => Dialect.Journal;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;

    public override void Authorize(RequestContext ctx)
    {
        // Refused before the upload starts, as journal-remote does.
        if (!MediaType.Is(ctx.Head.ContentType, "application/vnd.fdo.journal"u8))
            throw new RequestRejectedException(RejectReason.UnsupportedMediaType, "Content-Type must be application/vnd.fdo.journal");
        if (tenants.IsOpen)
        {
            ctx.RecordTenant = TenantDirectory.OpenTenantId;
            return;
        }
        Span<byte> buffer = stackalloc byte[768];
        var tenant = tenants.Require(ctx.ClientCertificateSha256, Credentials.Find(ctx.Head, buffer), "authentication required: send the API key as Bearer or Basic auth (--url=http://user:KEY@host:port)");
        ctx.Tenant = tenant;
        ctx.RecordTenant = tenant.IdUtf8;
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        JournalExportParser.Parse(body, ctx.ReceivedNs, ctx.RecordTenant!, ctx.Batch);
        response.SetStatus(202);
        response.AddHeader("Content-Type"u8, "text/plain; charset=utf-8"u8);
        response.Body.Write("OK.\n"u8);
    }
}
