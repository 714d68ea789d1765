using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;

namespace Ingestd.Http;

/// <summary>
/// The layer above the HTTP loop, one instance per connection, called for one request at a time:
/// <see cref="Begin"/> once the head is in, <see cref="Complete"/> (and <see cref="AfterWait"/>) once the body is in,
/// <see cref="BeforeSend"/> for every response, <see cref="End"/> always. The loop owns framing, timeouts,
/// 100-continue and sending; the handler owns what the request means.
/// </summary>
internal interface IRequestHandler : IDisposable
{
    /// <summary>The matched route, for metrics; "unmatched" before and without one.</summary>
    string RouteName { get; }

    /// <summary>Returned by <see cref="Begin"/> when the response is already written and the body is not to be read.</summary>
    const long AnsweredWithoutBody = -1;

    /// <summary>
    /// The head is complete: route, check method and credentials, and return the largest body to read (or
    /// <see cref="AnsweredWithoutBody"/> after writing the answer into <paramref name="response"/>).
    /// Throws <see cref="RequestRejectedException"/> to refuse before the body is read.
    /// </summary>
    long Begin(HttpRequestHead head, RequestLimits limits, long receivedNs, Response response);

    /// <summary>
    /// The whole body (as received, before Content-Encoding is removed) is in: handle and store it, and fill
    /// <paramref name="response"/>; <paramref name="body"/> goes back to its pool as soon as the handler is done with it.
    /// Returns true when the response is ready; false when the handler has to wait first (for the disk): the loop
    /// awaits <paramref name="wait"/>, then calls <see cref="AfterWait"/>. Not async itself, so that the loop's one
    /// state machine does the waiting and nothing is allocated per request.
    /// Never throws for a bad request: refusals are rendered into the response.
    /// </summary>
    bool Complete(PooledBuffer body, Response response, out ValueTask wait);

    /// <summary>The wait <see cref="Complete"/> asked for is over: fill <paramref name="response"/>.</summary>
    void AfterWait(Response response);

    /// <summary>After <see cref="Complete"/>: a stream that takes over the connection after the head, or null.</summary>
    IResponseStream? Stream { get; }

    /// <summary>Renders a refusal in the matched route's own shape (or the generic one without a route).</summary>
    void WriteError(RequestRejectedException e, Response response);

    /// <summary>Last look at every response on the connection, success or error, also those refused before a request began.</summary>
    void BeforeSend(Response response);

    /// <summary>The request is over, answered or not (the client may have gone mid-body).</summary>
    void End();
}
