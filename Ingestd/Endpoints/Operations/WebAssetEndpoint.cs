using Ingestd.Http;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints.Operations;

/// <summary><c>GET /assets/{file}</c>: the scripts and styles of the documentation pages and the console, from the binary (no CDN).</summary>
internal sealed class WebAssetEndpoint : Endpoint
{
    public override string Name => "/assets/{file}";
    public override string Allow => "GET, HEAD";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Head;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        var asset = WebAsset.Find(ctx.PathParameter)
            ?? throw new RequestRejectedException(RejectReason.NotFound, $"no asset named {System.Text.Encoding.ASCII.GetString(ctx.PathParameter)}");
        asset.WriteTo(ctx, response);
    }
}
