using System.Text;
using Ingestd.Http;
using Ingestd.Parsing;
using Ingestd.Parsing.Dialects.Elastic;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;

namespace Ingestd.Endpoints;

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
        => response.AddHeader(ElasticResponses.ProductHeaderName, ElasticResponses.ProductHeaderValue);

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

    public override void Authorize(RequestContext ctx) => ctx.EndpointState = new State(Auth.Authenticate(ctx));

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var state = (State)ctx.EndpointState!;
        long start = Environment.TickCount64;
        var index = indexInPath ? ctx.PathParameter : default;
        BulkParser.Parse(body, index, ctx.ReceivedNs, state.Tenant, ctx.Batch, state.Items);
        response.SetStatus(200);
        BulkResponseWriter.Write(response.Body, Environment.TickCount64 - start, state.Items);
    }

    public override void EndRequest(RequestContext ctx)
    {
        if (ctx.EndpointState is State state) state.Dispose();
    }
}
