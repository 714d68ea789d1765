using System.Text;
using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Air;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;
using Ingestd.Subscriptions;

namespace Ingestd.Endpoints.Air;

/// <summary>
/// <c>GET /v1/subscribe/{messages|events}</c>: a Server-Sent Events stream of the tenant's
/// entries as they are accepted. Query: <c>name=</c> (events), <c>attributes.KEY=VALUE</c>
/// (any number, all must match), and <c>access_token=</c> for clients that cannot set headers
/// (RFC 6750 §2.3). A subscriber that falls <c>sse_subscriber_buffer</c> entries behind is dropped.
/// </summary>
internal sealed class AirSubscribeEndpoint(AirAuth auth, SubscriptionHub hub, LiveConfig live) : Endpoint
{
    public override string Name => "/v1/subscribe/{type}";
    public override string Allow => "GET";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Get;

    public override void Authorize(RequestContext ctx)
    {
        RecordKind kind;
        if (ctx.PathParameter.SequenceEqual("messages"u8)) kind = RecordKind.Message;
        else if (ctx.PathParameter.SequenceEqual("events"u8)) kind = RecordKind.Event;
        else throw new RequestRejectedException(RejectReason.NotFound, "type must be messages or events");

        string? name = null, token = null;
        var attributes = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in QueryString.Parse(ctx.Head.Query))
        {
            if (key == "name") name = value;
            else if (key == "access_token") token = value;
            else if (key.StartsWith("attributes.", StringComparison.Ordinal) && key.Length > 11) attributes.Add(new(key[11..], value));
            else throw new RequestRejectedException(RejectReason.InvalidEvent, $"unknown query parameter '{key}' (use name, attributes.KEY, access_token)");
        }
        var tenant = auth.Authenticate(ctx.Head.Authorization, token is null ? default : Encoding.UTF8.GetBytes(token));
        ctx.SetState(new SubscriptionFilter(tenant, kind, name, attributes));
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        response.SetStatus(200);
        response.AddHeader("Content-Type"u8, "text/event-stream"u8);
        response.AddHeader("X-Accel-Buffering"u8, "no"u8);
        ctx.Stream = hub.Subscribe(ctx.State<SubscriptionFilter>(), live.Current.Limits.SseSubscriberBuffer);
    }
}
