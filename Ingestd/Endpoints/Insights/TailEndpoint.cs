using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Query;
using Ingestd.Selection;
using Ingestd.Subscriptions;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// <c>GET /v1/tail</c>: a Server-Sent Events stream of the records every dialect stores from now on, with the filters
/// of <c>/v1/query</c> (<c>event: record</c>, <c>data:</c> the record as <c>ingestd read</c> prints it, without
/// <c>seq</c>). A subscriber that falls <c>limits.sse_subscriber_buffer</c> records behind gets a last
/// <c>event: dropped</c> and is disconnected; ingest never waits for it.
/// </summary>
internal sealed class TailEndpoint(QueryAccess access, SubscriptionHub hub, LiveConfig live) : QueryRoute(access, live)
{
    public override string Name => "/v1/tail";
    protected override QueryView View => QueryView.Tail;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        response.SetStatus(200);
        response.AddHeader("Content-Type"u8, "text/event-stream"u8);
        response.AddHeader("Cache-Control"u8, "no-cache"u8);
        response.AddHeader("X-Accel-Buffering"u8, "no"u8);
        var filter = new RecordFilter(RequestOf(ctx).Criteria);
        ctx.Stream = hub.Subscribe(new TailSubscription(filter), Live.Current.Limits.SseSubscriberBuffer);
    }
}
