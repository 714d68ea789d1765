using System.Text.Json;
using Ingestd.Config;
using Ingestd.Http;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Query;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// What the read routes (<c>/v1/query…</c>, <c>/v1/tail</c>) share: GET only, access (<see cref="QueryAccess"/>) and the
/// parameters read before anything is scanned, and their errors:
/// <c>400 {"error":"invalid_parameter","parameter":"where","detail":"where: column 7: …","column":7}</c>.
/// </summary>
internal abstract class QueryRoute(QueryAccess access, LiveConfig live, QueryWorkers? workers = null) : Endpoint
{
    protected sealed class State
    {
        public QueryRequest Request = null!;
        public string? Parameter;
        public int? Column;
    }

    protected abstract QueryView View { get; }

    protected LiveConfig Live => live;

    public override string Allow => "GET";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Get;

    public override void Authorize(RequestContext ctx)
    {
        var state = ctx.SetState(new State());
        var pairs = QueryString.Parse(ctx.Head.Query);
        string? token = null;
        foreach (var (key, value) in pairs)
            if (key == "access_token") token = value;
        string? onlyTenant = access.Resolve(ctx, token);
        try
        {
            state.Request = Build(ctx, pairs, onlyTenant);
        }
        catch (QueryParameterException e)
        {
            state.Parameter = e.Parameter;
            state.Column = e.Column;
            throw new RequestRejectedException(RejectReason.InvalidEvent, e.Message) { Field = e.Parameter };
        }
        catch (QueryForbiddenException e)
        {
            throw new RequestRejectedException(RejectReason.Forbidden, e.Message);
        }
    }

    /// <summary>Reads the parameters; the Air views fix dialect and kind on top.</summary>
    protected virtual QueryRequest Build(RequestContext ctx, List<KeyValuePair<string, string>> pairs, string? onlyTenant)
        => QueryParameters.Parse(pairs, View, onlyTenant, QueryLimits.From(live.Current.Limits), DateTimeOffset.UtcNow, Scope(ctx));

    /// <summary>What the path fixes on top of the parameters (Air's entry type): part of a cursor's filters.</summary>
    protected virtual string? Scope(RequestContext ctx) => null;

    protected QueryRequest RequestOf(RequestContext ctx) => ctx.State<State>().Request;

    protected string DataDir => Path.GetFullPath(live.Current.Server.DataDir);

    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        if (e.Reason != RejectReason.InvalidEvent || ctx.StateOrNull<State>() is not { Parameter: { } parameter } state)
        {
            base.WriteError(ctx, e, response);
            return;
        }
        using var w = response.JsonWriter(400);
        w.WriteStartObject();
        w.WriteString("error"u8, "invalid_parameter"u8);
        w.WriteString("parameter"u8, parameter);
        w.WriteString("detail"u8, e.Detail);
        if (state.Column is int column) w.WriteNumber("column"u8, column);
        w.WriteEndObject();
    }

    /// <summary>
    /// Runs <paramref name="scan"/> (which fills the response) on a query worker and has the connection wait for it; a
    /// fault in it costs this request a 500, as it would on the connection's thread. 429 when too many queries wait.
    /// </summary>
    protected void Answer(RequestContext ctx, Response response, Action scan)
    {
        if (workers is null)
        {
            scan();
            return;
        }
        if (!workers.TryRun(() => Scan(ctx, response, scan), out var done))
            throw new RequestRejectedException(RejectReason.RateLimited, $"more than {QueryWorkers.MaxWaiting} queries are waiting; retry shortly");
        ctx.Answering = done;
    }

    private void Scan(RequestContext ctx, Response response, Action scan)
    {
        try
        {
            scan();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Diagnostics.Log.Error($"{Name}: unexpected {e.GetType().Name}: {e.Message}");
            WriteError(ctx, new RequestRejectedException(RejectReason.InternalError), response);
        }
    }

    /// <summary>Warnings of the segment reader (damaged blocks) go to the daemon's log, never into an answer.</summary>
    protected static void Warn(string message) => Diagnostics.Log.Warn("query: " + message);
}
