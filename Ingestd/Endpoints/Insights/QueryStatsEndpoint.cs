using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Query;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// <c>GET /v1/query/stats?group_by=level|service|dialect|tenant|kind&amp;interval=1m</c> with the filters of
/// <c>/v1/query</c>: counts of the matching records per event-time bucket, for charts and alerts (see <see cref="StatsAnswer"/>).
/// </summary>
internal sealed class QueryStatsEndpoint(QueryAccess access, LiveConfig live, QueryWorkers? workers = null) : QueryRoute(access, live, workers)
{
    public override string Name => "/v1/query/stats";
    protected override QueryView View => QueryView.Stats;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var request = RequestOf(ctx);
        var limits = QueryLimits.From(Live.Current.Limits);
        string dataDir = DataDir;
        Answer(ctx, response, () =>
        {
            var stats = new StatsAnswer(request.GroupBy, request.Interval);
            var outcome = new SegmentQuery(dataDir, request, limits, Warn, new QueryPacer()).RunAll(stats);
            response.SetStatus(200);
            stats.WriteTo(response.Body, request.Interval, outcome);
            response.AddHeader("Content-Type"u8, "application/json"u8);
        });
    }
}
