using Ingestd.Auth;
using Ingestd.Http;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints;

/// <summary>Per-request state handed to an endpoint; one instance per connection, reset per request.</summary>
internal sealed class RequestContext : IDisposable
{
    public RequestContext(HttpRequestHead head) => Head = head;

    public HttpRequestHead Head { get; }

    /// <summary>
    /// SHA-256 of the client certificate the connection's TLS handshake verified (64 upper-case hex digits), for auth;
    /// null on plain HTTP or without one. Fixed per connection.
    /// </summary>
    public string? ClientCertificateSha256 { get; init; }

    /// <summary>"cert:" + <see cref="ClientCertificateSha256"/>: stands in for an API key where per-credential state is kept.</summary>
    public byte[]? ClientCertificateScope { get; init; }

    public RecordBatch Batch { get; } = new();

    /// <summary>The authenticated tenant, or null in open mode.</summary>
    public Tenant? Tenant { get; set; }

    /// <summary>When the request's head was complete, Unix ns UTC: every record's received time.</summary>
    public long ReceivedNs { get; set; }

    /// <summary>Bytes of the body as received (before Content-Encoding was removed).</summary>
    public long EncodedBodyLength { get; set; }

    /// <summary>Where the route's <c>{parameter}</c> starts in <see cref="HttpRequestHead.Path"/> (-1 when the route has none).</summary>
    public int PathParameterStart { get; set; } = -1;

    /// <summary>The route's <c>{parameter}</c> segment (up to the next '/').</summary>
    public ReadOnlySpan<byte> PathParameter
    {
        get
        {
            if (PathParameterStart < 0) return default;
            var rest = Head.Path[PathParameterStart..];
            int slash = rest.IndexOf((byte)'/');
            return slash < 0 ? rest : rest[..slash];
        }
    }

    /// <summary>Set by the connection once the batch is acknowledged (stored per the durability mode).</summary>
    public bool Acknowledged { get; set; }

    /// <summary>
    /// Set with <see cref="Acknowledged"/> when the connection waited for the writer: every record of the request has a
    /// sequence number below this (0 for a request without events).
    /// </summary>
    public long StoredBelowSequence { get; set; }

    /// <summary>Set by an endpoint that answers with a stream (SSE) instead of a body.</summary>
    public IResponseStream? Stream { get; set; }

    /// <summary>
    /// Set by an endpoint that writes its answer on another thread (queries, see <c>Insights/QueryWorkers</c>): the
    /// connection sends the response once this completes, and touches it not before.
    /// </summary>
    public Task? Answering { get; set; }

    /// <summary>
    /// The tenant id written into this request's records when the dialect names it outside <see cref="Tenant"/>
    /// (open mode's default, Loki's X-Scope-OrgID).
    /// </summary>
    public byte[]? RecordTenant { get; set; }

    // The matched endpoint's own per-request state (e.g. Guardian's trace id and idempotency reservation).
    private object? _state;

    /// <summary>Keeps the endpoint's state for this request and returns it.</summary>
    public T SetState<T>(T state) where T : class
    {
        _state = state;
        return state;
    }

    /// <summary>The endpoint's state for this request; it must have been set (by Authorize).</summary>
    public T State<T>() where T : class
        => _state as T ?? throw new InvalidOperationException($"no {typeof(T).Name} was set for this request");

    /// <summary>The endpoint's state, or null when the request was refused before it was set.</summary>
    public T? StateOrNull<T>() where T : class => _state as T;

    public void Reset()
    {
        Batch.Reset();
        Tenant = null;
        ReceivedNs = 0;
        EncodedBodyLength = 0;
        PathParameterStart = -1;
        Acknowledged = false;
        StoredBelowSequence = 0;
        Stream = null;
        Answering = null;
        RecordTenant = null;
        _state = null;
    }

    public void Dispose() => Batch.Dispose();
}
