using System.Text;
using Ingestd.Http;
using Ingestd.Parsing.Dialects.Elastic;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints.Elastic;

/// <summary>
/// What every Elasticsearch-compatible route shares: the <c>X-Elastic-Product: Elasticsearch</c>
/// header on every response (clients refuse servers without it) and Elasticsearch's error shape
/// <c>{"error":{"root_cause":[…],"type":…,"reason":…},"status":N}</c>.
/// </summary>
internal abstract class ElasticEndpoint(ElasticAuth auth) : Endpoint
{
    protected ElasticAuth Auth => auth;

    public override Dialect Dialect => Dialect.Elastic;

    public override void BeforeSend(RequestContext ctx, Response response)
    {
        response.AddHeader(ElasticResponses.ProductHeaderName, ElasticResponses.ProductHeaderValue);
        // A client that asked for a compatible version gets its answer labelled with it, as Elasticsearch does.
        int compatible = CompatibleWith(ctx);
        if (compatible != 0 && AnswersJson(ctx)) response.AddHeader("Content-Type"u8, ElasticCompatibility.MediaType(compatible));
    }

    /// <summary>The major version the client asked for with <c>compatible-with=N</c> (7 or 8), or 0.</summary>
    protected static int CompatibleWith(RequestContext ctx)
    {
        ctx.Head.TryGetHeader("accept"u8, out var accept);
        return ElasticCompatibility.RequestedVersion(accept, ctx.Head.ContentType);
    }

    /// <summary>False when this response is not JSON (cat APIs in text form), so it keeps its own Content-Type.</summary>
    protected virtual bool AnswersJson(RequestContext ctx) => true;

    public override void WriteError(RequestContext ctx, RequestRejectedException e, Response response)
    {
        int status = Rejection.StatusCode(e.Reason);
        response.SetStatus(status);
        ElasticResponses.WriteError(response.Body, ElasticResponses.ErrorType(e.Reason), e.Detail, status);
        if (status == 401) response.AddHeader("WWW-Authenticate"u8, "Basic realm=\"ingestd\", ApiKey"u8);
    }
}

/// <summary><c>GET /</c> and <c>HEAD /</c>: the cluster info that Beats, Logstash and Vector read for the version.</summary>
internal sealed class ElasticRootEndpoint(ElasticAuth auth) : ElasticEndpoint(auth)
{
    private static readonly byte[] Info = ElasticResponses.RootInfo("ingestd");

    public override string Name => "/";
    public override string Allow => "GET, HEAD";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Head;
    public override void Authorize(RequestContext ctx) => Auth.Authenticate(ctx);
    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response) => response.Json(200, Info);
}

/// <summary>Fixed answers to what shippers ask before they send: cluster health, licence, X-Pack features.</summary>
internal sealed class ElasticInfoEndpoint(ElasticAuth auth, string path, byte[] answer) : ElasticEndpoint(auth)
{
    public override string Name => path;
    public override string Allow => "GET, HEAD";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Head;
    public override void Authorize(RequestContext ctx) => Auth.Authenticate(ctx);
    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response) => response.Json(200, answer);
}

/// <summary>
/// <c>/_index_template/{name}</c>, <c>/_template/{name}</c>, <c>/_ilm/policy/{name}</c>: setup calls
/// (Filebeat, Logstash) are acknowledged and reported as existing; an append-only store has no mappings to keep.
/// </summary>
internal sealed class ElasticSetupEndpoint(ElasticAuth auth, string template) : ElasticEndpoint(auth)
{
    public override string Name => template;
    public override string Allow => "GET, HEAD, PUT";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Head or HttpMethod.Put;
    public override void Authorize(RequestContext ctx) => Auth.Authenticate(ctx);
    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
        => response.Json(200, ctx.Head.Method == HttpMethod.Put ? ElasticResponses.Acknowledged : ElasticResponses.EmptyObject);
}

/// <summary>
/// <c>POST|PUT /_bulk</c> and <c>/{index}/_bulk</c>: NDJSON action + document pairs; <c>index</c> and
/// <c>create</c> are stored; the answer is Elasticsearch's <c>{"took","errors","items"}</c> with a status per item.
/// </summary>
internal sealed class ElasticBulkEndpoint(ElasticAuth auth, bool indexInPath) : ElasticEndpoint(auth)
{
    public override string Name => indexInPath ? "/{index}/_bulk" : "/_bulk";
    public override string Allow => "POST, PUT";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Post or HttpMethod.Put;

    private sealed class State(byte[] tenant) : IDisposable
    {
        public readonly byte[] Tenant = tenant;
        public readonly BulkItemList Items = new();
        public void Dispose() => Items.Dispose();
    }

    public override void Authorize(RequestContext ctx) => ctx.SetState(new State(Auth.Authenticate(ctx)));

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var state = ctx.State<State>();
        long start = Environment.TickCount64;
        var index = indexInPath ? ctx.PathParameter : default;
        BulkParser.Parse(body, index, ctx.ReceivedNs, state.Tenant, ctx.Batch, state.Items);
        response.SetStatus(200);
        if (state.Items.ActionLineWarnings != ActionLineWarnings.None)
            foreach (var warning in ElasticResponses.DeprecationWarnings(state.Items.ActionLineWarnings)) response.AddHeader("Warning"u8, warning);
        BulkResponseWriter.Write(response.Body, Environment.TickCount64 - start, state.Items, v7Compatible: CompatibleWith(ctx) == 7);
    }

    public override void EndRequest(RequestContext ctx)
    {
        ctx.StateOrNull<State>()?.Dispose();
    }
}

/// <summary>
/// <c>/_refresh</c>, <c>/{index}/_refresh</c>, <c>/_flush</c>, <c>/{index}/_flush</c> (GET or POST): what ingest-only
/// clients call after a bulk (pino-elasticsearch's <c>refreshOnCompletion</c>). A 2xx from <c>_bulk</c> already means
/// the documents are stored, so both answer at once that every shard is done.
/// </summary>
internal sealed class ElasticShardsEndpoint(ElasticAuth auth, string path) : ElasticEndpoint(auth)
{
    public override string Name => path;
    public override string Allow => "GET, POST";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Post;
    public override void Authorize(RequestContext ctx) => Auth.Authenticate(ctx);
    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response) => response.Json(200, ElasticResponses.ShardsDone);
}

/// <summary>
/// <c>GET /_cat/health</c>: a single green node, as text (<c>?v</c> adds the header line) or, with <c>?format=json</c>,
/// as JSON. rsyslog's omelasticsearch asks it to learn whether the cluster is back after an outage.
/// </summary>
internal sealed class ElasticCatHealthEndpoint(ElasticAuth auth) : ElasticEndpoint(auth)
{
    public override string Name => "/_cat/health";
    public override string Allow => "GET, HEAD";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Head;
    public override void Authorize(RequestContext ctx) => Auth.Authenticate(ctx);

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        if (AnswersJson(ctx))
        {
            response.Json(200, ElasticResponses.CatHealthJson("ingestd", DateTimeOffset.UtcNow));
            return;
        }
        bool verbose = false;
        foreach (var (key, value) in QueryString.Parse(ctx.Head.Query))
            if (key == "v") verbose = value is "" or "true";
        response.SetStatus(200);
        response.AddHeader("Content-Type"u8, "text/plain; charset=UTF-8"u8);
        response.Body.Write(Encoding.UTF8.GetBytes(ElasticResponses.CatHealthText("ingestd", DateTimeOffset.UtcNow, verbose)));
    }

    protected override bool AnswersJson(RequestContext ctx)
    {
        foreach (var (key, value) in QueryString.Parse(ctx.Head.Query))
            if (key == "format") return value == "json";
        return false;
    }
}

/// <summary>
/// <c>GET /_nodes/http</c>: the node list sniffing clients read. The one node publishes the address the client used
/// (its <c>Host</c>), which is where this daemon listens for it.
/// </summary>
internal sealed class ElasticNodesHttpEndpoint(ElasticAuth auth, long maxContentLength) : ElasticEndpoint(auth)
{
    public override string Name => "/_nodes/http";
    public override string Allow => "GET";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get;
    public override void Authorize(RequestContext ctx) => Auth.Authenticate(ctx);

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        ctx.Head.TryGetHeader("host"u8, out var host);
        string hostPort = host.IsEmpty ? "127.0.0.1:9200" : Encoding.UTF8.GetString(host);
        response.Json(200, ElasticResponses.NodesHttp("ingestd", hostPort, maxContentLength));
    }
}

/// <summary>
/// <c>HEAD /{index}</c>: the index-exists check clients make before writing. Any valid index name exists here
/// (documents of any index are accepted), so it is 200; an invalid name is 404. The route is there for HEAD only:
/// other methods on a bare <c>/{name}</c> stay unknown paths (404).
/// </summary>
internal sealed class ElasticIndexExistsEndpoint(ElasticAuth auth) : ElasticEndpoint(auth)
{
    public override string Name => "/{index}";
    public override string Allow => "HEAD";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Head;
    public override bool Routes(HttpMethod method) => method is HttpMethod.Head;

    public override void Authorize(RequestContext ctx)
    {
        Auth.Authenticate(ctx);
        if (!BulkParser.IsValidIndexName(ctx.PathParameter))
            throw new RequestRejectedException(RejectReason.NotFound, $"no such index [{Encoding.UTF8.GetString(ctx.PathParameter)}]");
    }

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response) => response.SetStatus(200);
}
