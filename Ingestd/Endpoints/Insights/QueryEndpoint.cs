using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Parsing.Http;
using Ingestd.Query;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// <c>GET /v1/query</c>: stored records of every dialect, filtered (<c>since, until, tenant, stream, dialect, kind,
/// service, level, route, q, where</c>), paged (<c>limit, order=asc|desc, cursor</c>). NDJSON like <c>ingestd read</c>
/// (next page in <c>X-Next-Cursor</c>, a cap that cut the page short in <c>X-Truncated</c>), or with
/// <c>Accept: application/json</c> <c>{"records":[…],"next_cursor":…,"truncated"?:…}</c>.
/// Reads the segment files only, on a query worker (<see cref="QueryWorkers"/>), for at most <c>limits.query_max_time</c>.
/// </summary>
internal sealed class QueryEndpoint(QueryAccess access, LiveConfig live, QueryWorkers? workers = null) : QueryRoute(access, live, workers)
{
    public override string Name => "/v1/query";
    protected override QueryView View => QueryView.Records;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var request = RequestOf(ctx);
        var limits = QueryLimits.From(Live.Current.Limits);
        bool json = WantsJson(ctx.Head);
        string dataDir = DataDir;
        Answer(ctx, response, () =>
        {
            response.SetStatus(200);
            using var answer = new RecordAnswer(response.Body, json ? AnswerFormat.Json : AnswerFormat.Ndjson, limits.MaxBytes);
            var outcome = new SegmentQuery(dataDir, request, limits, Warn, new QueryPacer()).Run(answer);
            answer.Finish(outcome);
            response.AddHeader("Content-Type"u8, json ? "application/json"u8 : "application/x-ndjson"u8);
            if (outcome.Next is { } next) response.AddHeader("X-Next-Cursor"u8, next.Encode());
            if (outcome.Truncated is { } why) response.AddHeader("X-Truncated"u8, why);
        });
    }

    private static bool WantsJson(HttpRequestHead head)
        => head.TryGetHeader("Accept"u8, out var accept) && accept.IndexOf("application/json"u8) >= 0;
}
