using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Docs;

/// <summary>An open-mode daemon for the documentation pages; each page is rendered by Chromium once, on first use.</summary>
public sealed class DocsFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-docs");
    private readonly Lazy<HeadlessChromium.Page> _swagger;
    private readonly Lazy<HeadlessChromium.Page> _scalar;

    public DocsFixture()
    {
        Daemon = DaemonProcess.Start(_dir.File("data"));
        _swagger = new(() => HeadlessChromium.Render(Daemon.BaseUrl + "/api"));
        _scalar = new(() => HeadlessChromium.Render(Daemon.BaseUrl + "/reference"));
    }

    public DaemonProcess Daemon { get; }
    public HeadlessChromium.Page Swagger => _swagger.Value;
    public HeadlessChromium.Page Scalar => _scalar.Value;

    /// <summary>Every operation of the served /openapi.json as (METHOD, path).</summary>
    public List<(string Method, string Path)> Operations()
    {
        var reply = RawHttp.Once(Daemon.Port, "GET", "/openapi.json", (string?)null);
        var paths = JsonDocument.Parse(reply.Body).RootElement.GetProperty("paths");
        return paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (m.Name.ToUpperInvariant(), p.Name)))
            .ToList();
    }

    public void Dispose()
    {
        Daemon.Dispose();
        _dir.Dispose();
    }
}
