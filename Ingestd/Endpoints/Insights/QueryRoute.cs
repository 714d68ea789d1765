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
internal abstract class QueryRoute(QueryAccess access, LiveConfig live) : Endpoint
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
        => QueryParameters.Parse(pairs, View, onlyTenant, QueryLimits.From(live.Current.Limits), DateTimeOffset.UtcNow);

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

    /// <summary>Warnings of the segment reader (damaged blocks) go to the daemon's log, never into an answer.</summary>
    protected static void Warn(string message) => Diagnostics.Log.Warn("query: " + message);
}
