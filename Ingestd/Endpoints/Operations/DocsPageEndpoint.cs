using System.Text;
using Ingestd.Http;
using Ingestd.Parsing.Http;

namespace Ingestd.Endpoints.Operations;

/// <summary>
/// <c>GET /api</c> (Swagger UI) and <c>GET /reference</c> (Scalar): interactive documentation over <c>/openapi.json</c>;
/// <c>GET /ui</c>: the console over <c>/v1/overview</c>, <c>/v1/query</c> and <c>/v1/tail</c>. Every file served by the
/// daemon itself and nothing loaded from elsewhere.
/// </summary>
internal sealed class DocsPageEndpoint : Endpoint
{
    private readonly string _path;
    private readonly WebAsset _page;
    private readonly byte[] _policy;

    private DocsPageEndpoint(string path, WebAsset page, string styleSources)
    {
        _path = path;
        _page = page;
        // Only this origin's scripts, styles and requests (images also as data: URIs: Swagger UI's CSS draws its icons so).
        // No inline script anywhere: the pages load their start-up code from /assets.
        _policy = Encoding.ASCII.GetBytes(
            $"default-src 'none'; script-src 'self'; style-src {styleSources}; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    }

    public static DocsPageEndpoint SwaggerUi() => new("/api", WebAsset.SwaggerPage, "'self'");

    // Scalar's bundle carries its stylesheet inside and injects it as a <style> element, and sets style attributes,
    // which CSP counts as inline styles; without 'unsafe-inline' the page renders unstyled.
    public static DocsPageEndpoint ScalarReference() => new("/reference", WebAsset.ScalarPage, "'self' 'unsafe-inline'");

    // uPlot sizes and places its parts through element.style (CSSOM), which style-src 'self' allows; no inline styles.
    public static DocsPageEndpoint Console() => new("/ui", WebAsset.ConsolePage, "'self'");

    public override string Name => _path;
    public override string Allow => "GET, HEAD";
    public override bool AllowsMethod(HttpMethod method) => method is HttpMethod.Get or HttpMethod.Head;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        _page.WriteTo(ctx, response);
        response.AddHeader("Content-Security-Policy"u8, _policy);
        response.AddHeader("X-Frame-Options"u8, "DENY"u8);
        response.AddHeader("Referrer-Policy"u8, "no-referrer"u8);
    }
}
