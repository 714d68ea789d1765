using Ingestd.Auth;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints;

/// <summary>Per-request state handed to an endpoint; one instance per connection, reset per request.</summary>
internal sealed class RequestContext : IDisposable
{
    public RequestContext(HttpRequestHead head) => Head = head;

    public HttpRequestHead Head { get; }
    public RecordBatch Batch { get; } = new();

    /// <summary>The authenticated tenant, or null in open mode.</summary>
    public Tenant? Tenant { get; set; }

    /// <summary>When the request's head was complete, Unix ns UTC: every record's received time.</summary>
    public long ReceivedNs { get; set; }

    public void Reset()
    {
        Batch.Reset();
        Tenant = null;
        ReceivedNs = 0;
    }

    public void Dispose() => Batch.Dispose();
}
