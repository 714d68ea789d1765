using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Air;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Air;

/// <summary>
/// Air <c>POST /v1/ingest/{messages|events|logs|metrics|traces}</c> (seed 004): <c>{"entries":[…]}</c>,
/// at most <c>air_max_entries</c>; valid entries are stored, invalid ones counted and listed:
/// <c>200 {"data":{"accepted":N,"rejected":M,"errors":[{"index":i,"reason":"…"}]}}</c>.
/// Accepted messages and events reach live subscribers through the dispatcher's offer to the subscription hub.
/// </summary>
internal sealed class AirIngestEndpoint(AirAuth auth, LiveConfig live) : Endpoint
{
    private sealed class State
    {
        public byte[] Tenant = [];
        public AirEntryType Type;
        public readonly List<AirRejection> Rejected = new();
    }

    public override string Name => "/v1/ingest/{type}";
    public override Dialect Dialect => Dialect.Air;
    public override string Allow => "POST";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Post;

    public override void Authorize(RequestContext ctx)
    {
        if (!AirEntryTypes.TryParse(ctx.PathParameter, out var type))
            throw new RequestRejectedException(RejectReason.NotFound, "type must be one of messages, events, logs, metrics, traces");
        var state = new State { Type = type };
        ctx.SetState(state);
        state.Tenant = auth.Authenticate(ctx.Head.Authorization, default);
        var contentType = ctx.Head.ContentType;
        if (!contentType.IsEmpty && !MediaType.Is(contentType, "application/json"u8))
            throw new RequestRejectedException(RejectReason.UnsupportedMediaType, "Content-Type must be application/json");
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var state = ctx.State<State>();
        int accepted = AirParser.Parse(body, state.Type, ctx.ReceivedNs, state.Tenant, ctx.Batch, state.Rejected, live.Current.Limits.AirMaxEntries);
        using var w = response.JsonWriter(200);
        w.WriteStartObject();
        w.WriteStartObject("data"u8);
        w.WriteNumber("accepted"u8, accepted);
        w.WriteNumber("rejected"u8, state.Rejected.Count);
        if (state.Rejected.Count > 0)
        {
            w.WriteStartArray("errors"u8);
            foreach (var r in state.Rejected)
            {
                w.WriteStartObject();
                w.WriteNumber("index"u8, r.Index);
                w.WriteString("reason"u8, r.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
