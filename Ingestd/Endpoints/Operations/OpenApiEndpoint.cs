using Ingestd.Http;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints.Operations;

/// <summary><c>GET /openapi.json</c>: the OpenAPI 3.1 description of every route (embedded; a test keeps it in step with the router).</summary>
internal sealed class OpenApiEndpoint : Endpoint
{
    private static readonly byte[] Document = Load();

    public override string Name => "/openapi.json";
    public override string Allow => "GET";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Get;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response) => response.Json(200, Document);

    internal static byte[] Load()
    {
        using var stream = typeof(OpenApiEndpoint).Assembly.GetManifestResourceStream("Ingestd.openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
