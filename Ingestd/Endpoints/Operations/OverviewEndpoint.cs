using Ingestd.Endpoints.Insights;
using Ingestd.Http;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints.Operations;

/// <summary>
/// <c>GET /v1/overview</c>: the console's charts as JSON (<see cref="ConsoleHistory"/>): the last minutes of events/s and
/// bytes/s per dialect and tenant, ring fill, block write and fsync latency, segments and disk use, output lag. Access
/// as for queries (<see cref="QueryAccess"/>): a tenant's key sees only its tenant's traffic; an admin key, or open
/// mode, every tenant's.
/// </summary>
internal sealed class OverviewEndpoint(QueryAccess access, ConsoleHistory history) : Endpoint
{
    private sealed class Reader
    {
        public string? OnlyTenant;
    }

    public override string Name => "/v1/overview";
    public override string Allow => "GET";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Get;

    // No ?access_token=: the console sends its key in a header, so it never sits in a URL.
    public override void Authorize(RequestContext ctx) => ctx.SetState(new Reader { OnlyTenant = access.Resolve(ctx, queryToken: null) });

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        using (var json = response.JsonWriter(200)) history.WriteJson(json, ctx.State<Reader>().OnlyTenant);
        // Figures of the moment: never from a cache.
        response.AddHeader("Cache-Control"u8, "no-store"u8);
    }
}
