using Ingestd.Http;
using Ingestd.Parsing;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints;

/// <summary>
/// One route of the daemon. The connection calls, in order: <see cref="Authorize"/> (before
/// the body is read, so a refused client isn't made to upload), then <see cref="Handle"/>
/// with the decoded body. Handle fills <see cref="RequestContext.Batch"/> and writes the
/// success response; the connection then publishes the batch, waits for durability and sends.
/// Errors are thrown as <see cref="RequestRejectedException"/> and rendered by <see cref="WriteError"/>
/// in the dialect's own shape.
/// </summary>
internal abstract class Endpoint
{
    /// <summary>Route label for logs and metrics, e.g. <c>/v1/drain</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The value of the <c>Allow</c> header sent with 405.</summary>
    public abstract string Allow { get; }

    public abstract bool AllowsMethod(HttpMethod method);

    /// <summary>Refuses the request by throwing <see cref="RequestRejectedException"/>; sets ctx.Tenant on success.</summary>
    public virtual void Authorize(RequestContext ctx) { }

    public abstract void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response);

    public virtual void WriteError(RequestRejectedException e, Response response)
        => ErrorBody.From(e).WriteTo(response, Rejection.StatusCode(e.Reason));
}
