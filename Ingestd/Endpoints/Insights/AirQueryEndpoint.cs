using System.Text;
using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Parsing.Errors;
using Ingestd.Query;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// <c>GET /v1/query/{logs|metrics|traces|messages|events}</c>: Air's own view, the Air entries of that type as they
/// were sent, in <c>{"data":{"entries":[…],"next_cursor":…}}</c> (the shape of Air's answers). Takes the filters and
/// paging of <c>/v1/query</c> except dialect and kind, which the path fixes.
/// </summary>
internal sealed class AirQueryEndpoint(QueryAccess access, LiveConfig live, QueryWorkers? workers = null) : QueryRoute(access, live, workers)
{
    public override string Name => "/v1/query/{type}";
    protected override QueryView View => QueryView.Air;

    protected override QueryRequest Build(RequestContext ctx, List<KeyValuePair<string, string>> pairs, string? onlyTenant)
    {
        string type = Encoding.ASCII.GetString(ctx.PathParameter);
        if (Array.IndexOf(AirView.Types, type) < 0)
            throw new RequestRejectedException(RejectReason.NotFound, "type must be one of logs, metrics, traces, messages, events (or stats)");
        AirView.TryRestrict(base.Build(ctx, pairs, onlyTenant), type, out var request);
        return request;
    }

    protected override string? Scope(RequestContext ctx) => Encoding.ASCII.GetString(ctx.PathParameter);

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var limits = QueryLimits.From(Live.Current.Limits);
        var request = RequestOf(ctx);
        string dataDir = DataDir;
        Answer(ctx, response, () =>
        {
            response.SetStatus(200);
            using var answer = new RecordAnswer(response.Body, AnswerFormat.AirEntries, limits.MaxBytes);
            var outcome = new SegmentQuery(dataDir, request, limits, Warn, new QueryPacer()).Run(answer);
            answer.Finish(outcome);
            response.AddHeader("Content-Type"u8, "application/json"u8);
        });
    }
}
