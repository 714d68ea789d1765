using Ingestd.Http;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints.Operations;

/// <summary><c>GET /health</c>: liveness for load balancers and orchestrators, shared by every dialect.</summary>
internal sealed class HealthEndpoint : Endpoint
{
    public override string Name => "/health";
    public override string Allow => "GET, HEAD";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Head;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
        => response.Json(200, """{"status":"ok"}"""u8);
}
