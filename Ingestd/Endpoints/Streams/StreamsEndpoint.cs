using System.Buffers.Text;
using Ingestd.Auth;
using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Dialects;
using Ingestd.Parsing.Dialects.Streams;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Streams;

/// <summary>
/// Streaming ingest <c>POST /v1/streams/ingest</c> (seed 001): <c>Authorization: Bearer</c>,
/// <c>X-Stream-Id</c>, one event per request, at most 1 MB;
/// <c>200 {"status":"accepted","ingested_bytes":N,"stream_id":"…"}</c>. Every error is
/// <c>{"error":"&lt;code&gt;","detail":"…"}</c>, content errors with code <c>invalid_format</c>.
/// In the seed a stream is a pipeline inside the token's account: the record's tenant is the token's
/// tenant and the stream is stored in its own field. A tenant with a <c>streams</c> list may write only
/// to those (else 403). Open mode has no accounts: any stream is taken and is the tenant too.
/// </summary>
internal sealed class StreamsEndpoint(TenantDirectory tenants, LiveConfig live) : Endpoint
{
    private long Limit => live.Current.Limits.StreamMaxBodyBytes;

    public override string Name => "/v1/streams/ingest";
    public override Dialect Dialect => Dialect.Streams;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;
    public override long MaxBodyBytes(long serverLimit) => Math.Min(serverLimit, Limit);

    public override void Authorize(RequestContext ctx)
    {
        if (!tenants.IsOpen)
        {
            if (!ctx.Head.TryGetHeader("Authorization"u8, out var value) || !TenantDirectory.HasBearerScheme(value)
                || !tenants.TryResolve(TenantDirectory.TokenFromAuthorization(value), out var tenant))
                throw new RequestRejectedException(RejectReason.Unauthorized, "Token missing or expired.");
            ctx.Tenant = tenant;
        }
        if (!ctx.Head.TryGetHeader("X-Stream-Id"u8, out var stream) || stream.IsEmpty)
            throw new RequestRejectedException(RejectReason.InvalidEvent, "The 'X-Stream-Id' header is required.");
        if (stream.Length > StreamEventParser.MaxStreamIdLength)
            throw new RequestRejectedException(RejectReason.InvalidEvent, $"The 'X-Stream-Id' header must be at most {StreamEventParser.MaxStreamIdLength} bytes.");
        if (ctx.Tenant is not null && !ctx.Tenant.AllowsStream(stream))
            throw StreamNotAllowed(ctx.Tenant, stream);
        var type = ctx.Head.ContentType;
        if (!type.IsEmpty && !MediaType.Is(type, "application/json"u8))
            throw new RequestRejectedException(RejectReason.UnsupportedMediaType, "Content-Type must be application/json.");
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        ctx.Head.TryGetHeader("X-Stream-Id"u8, out var stream);
        var tenant = ctx.Tenant is null ? stream : ctx.Tenant.IdUtf8;
        StreamEventParser.Parse(body, ctx.ReceivedNs, tenant, stream, ctx.Batch);
        response.SetStatus(200);
        var w = response.Body;
        w.Write("""{"status":"accepted","ingested_bytes":"""u8);
        var digits = w.GetSpan(20);
        Utf8Formatter.TryFormat(body.Length, digits, out int n);
        w.Advance(n);
        w.Write(""","stream_id":"""u8);
        JsonEscape.WriteQuotedLenient(w, stream);
        w.Write("}"u8);
    }

    private static RequestRejectedException StreamNotAllowed(Tenant tenant, ReadOnlySpan<byte> stream)
        => new(RejectReason.Forbidden,
            $"X-Stream-Id: tenant '{tenant.Id}' may write only to its configured streams, and '{System.Text.Encoding.UTF8.GetString(stream)}' is not one of them.");

    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        int status = Rejection.StatusCode(e.Reason);
        string code;
        string detail = e.Detail;
        switch (e.Reason)
        {
            case RejectReason.InvalidEvent or RejectReason.InvalidJson or RejectReason.InvalidEncodedBody:
                code = "invalid_format";
                break;
            case RejectReason.BodyTooLarge or RejectReason.DecodedBodyTooLarge:
                // The seed lists "payload exceeds maximum size" among its 400s.
                status = 400;
                code = "invalid_format";
                detail = $"The payload exceeds the maximum size of {Limit} bytes.";
                break;
            case RejectReason.Backpressure:
                code = "rate_limited";
                detail = "The server is saturated; retry with backoff.";
                break;
            default:
                code = Rejection.Code(e.Reason);
                break;
        }
        new ErrorBody(code, detail).WriteTo(response, status);
    }
}
