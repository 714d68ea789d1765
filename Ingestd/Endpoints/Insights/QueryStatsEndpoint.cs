using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Query;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// <c>GET /v1/query/stats?group_by=level|service|dialect|tenant|kind&amp;interval=1m</c> with the filters of
/// <c>/v1/query</c>: counts of the matching records per event-time bucket, for charts and alerts (see <see cref="StatsAnswer"/>).
/// </summary>
internal sealed class QueryStatsEndpoint(QueryAccess access, LiveConfig live) : QueryRoute(access, live)
{
    public override string Name => "/v1/query/stats";
    protected override QueryView View => QueryView.Stats;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var request = RequestOf(ctx);
        var stats = new StatsAnswer(request.GroupBy, request.Interval);
        var outcome = new SegmentQuery(DataDir, request, QueryLimits.From(Live.Current.Limits), Warn).RunAll(stats);
        response.SetStatus(200);
        stats.WriteTo(response.Body, request.Interval, outcome);
        response.AddHeader("Content-Type"u8, "application/json"u8);
    }
}
