using Ingestd.Http;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints;

/// <summary>
/// One route of the daemon. The request dispatcher (Routing/) calls, in order: <see cref="Authorize"/> (before
/// the body is read, so a refused client isn't made to upload), then <see cref="Handle"/>
/// with the decoded body. Handle fills <see cref="RequestContext.Batch"/> and writes the
/// success response; the dispatcher then publishes the batch, waits for durability and, just
/// before sending, calls <see cref="BeforeSend"/> for every response of this endpoint.
/// Errors are thrown as <see cref="RequestRejectedException"/>; they, and storage failures after the
/// fact, are rendered by <see cref="WriteError"/> in the dialect's own shape. Per-request state of the
/// endpoint's own goes in <see cref="RequestContext.SetState{T}"/>.
/// </summary>
internal abstract class Endpoint
{
    /// <summary>Route label for logs and metrics, e.g. <c>/v1/drain</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The value of the <c>Allow</c> header sent with 405.</summary>
    public abstract string Allow { get; }

    public abstract bool AllowsMethod(HttpMethod method);

    /// <summary>
    /// False when this route is not there at all for <paramref name="method"/>: the router looks further (404 rather than 405).
    /// For a catch-all path like <c>HEAD /{index}</c>, which must not take other methods' unknown paths.
    /// </summary>
    public virtual bool Routes(HttpMethod method) => true;

    /// <summary>The dialect this route stores records as (for metrics).</summary>
    public virtual Dialect Dialect => Dialect.Unknown;

    /// <summary>Refuses the request by throwing <see cref="RequestRejectedException"/>; sets ctx.Tenant on success.</summary>
    public virtual void Authorize(RequestContext ctx) { }

    /// <summary>The largest encoded body this route takes (the server limit unless the dialect sets a lower one).</summary>
    public virtual long MaxBodyBytes(long serverLimit) => serverLimit;

    /// <summary>Reads Content-Encoding; a dialect may accept codings of its own (Loki's "snappy" means the body format, not an encoding).</summary>
    public virtual ContentCodings ParseContentEncoding(ReadOnlySpan<byte> header) => ContentCodingHeader.Parse(header);

    public abstract void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response);

    public virtual void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
        => ErrorBody.From(e).WriteTo(response, Rejection.StatusCode(e.Reason));

    /// <summary>Last look at every response of this route (success or error): dialect headers, idempotency bookkeeping.</summary>
    public virtual void BeforeSend(RequestContext ctx, Response response) { }

    /// <summary>
    /// True when <see cref="BeforeSend"/> reads the batch's records after they are stored; otherwise
    /// the record bytes go back to the pool as soon as the ring has its copy.
    /// </summary>
    public virtual bool NeedsBatchAfterAck(RequestContext ctx) => false;

    /// <summary>
    /// True when the answer must not go out before the writer has written the records, even under memory durability
    /// (Guardian's idempotency record may only stand for events that are stored).
    /// </summary>
    public virtual bool NeedsWriteBeforeAck(RequestContext ctx) => false;

    /// <summary>Always called once the request is over, answered or not (e.g. the client vanished mid-body): release what Authorize took.</summary>
    public virtual void EndRequest(RequestContext ctx) { }
}
