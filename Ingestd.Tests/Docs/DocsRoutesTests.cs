using System.Net.Sockets;
using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Docs;

/// <summary>GET /api, GET /reference and GET /assets/{file} over HTTP: what they send, with which headers.</summary>
public class DocsRoutesTests(DocsFixture fixture) : IClassFixture<DocsFixture>
{
    private RawHttp.Reply Get(string path, params (string, string)[] headers) => RawHttp.Once(fixture.Daemon.Port, "GET", path, (string?)null, headers);

    // The response head's lines as sent (RawHttp keeps one value per header name, which would hide a repeated one).
    private List<string> HeadLines(string path)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect("127.0.0.1", fixture.Daemon.Port);
        socket.Send(Encoding.ASCII.GetBytes($"HEAD {path} HTTP/1.1\r\nHost: docs\r\nConnection: close\r\n\r\n"));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = socket.Receive(buffer)) > 0) received.Write(buffer, 0, n);
        var text = Encoding.ASCII.GetString(received.ToArray());
        return text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n").Skip(1).ToList();
    }

    [Fact]
    public void Api_is_an_html_page_loading_swagger_ui_from_the_daemon_itself()
    {
        var r = Get("/api");
        Assert.Equal(200, r.Status);
        Assert.Equal("text/html; charset=utf-8", r.Header("Content-Type"));
        Assert.Contains("""<script src="/assets/swagger-ui-bundle.js"></script>""", r.Body);
        Assert.Contains("""<link rel="stylesheet" href="/assets/swagger-ui.css">""", r.Body);
        Assert.DoesNotContain("http", r.Body);
        Assert.Contains("url: '/openapi.json'", Get("/assets/swagger-init.js").Body);
    }

    [Fact]
    public void Reference_is_an_html_page_loading_scalar_from_the_daemon_itself()
    {
        var r = Get("/reference");
        Assert.Equal(200, r.Status);
        Assert.Equal("text/html; charset=utf-8", r.Header("Content-Type"));
        Assert.Contains("""<script src="/assets/scalar-standalone.js"></script>""", r.Body);
        Assert.DoesNotContain("http", r.Body);
        Assert.Contains("url: '/openapi.json'", Get("/assets/scalar-init.js").Body);
    }

    [Theory]
    [InlineData("/api")]
    [InlineData("/reference")]
    public void Pages_allow_scripts_and_requests_from_their_own_origin_only(string page)
    {
        var policy = Get(page).Header("Content-Security-Policy")!;
        var directives = policy.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("default-src 'none'", directives["default-src"]);
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("connect-src 'self'", directives["connect-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
        Assert.DoesNotContain("http", policy);
        Assert.DoesNotContain("*", policy);
    }

    [Theory]
    [InlineData("/assets/swagger-ui-bundle.js", "text/javascript; charset=utf-8")]
    [InlineData("/assets/swagger-init.js", "text/javascript; charset=utf-8")]
    [InlineData("/assets/swagger-ui.css", "text/css; charset=utf-8")]
    [InlineData("/assets/scalar-standalone.js", "text/javascript; charset=utf-8")]
    [InlineData("/assets/scalar-init.js", "text/javascript; charset=utf-8")]
    [InlineData("/assets/console.js", "text/javascript; charset=utf-8")]
    [InlineData("/assets/console.css", "text/css; charset=utf-8")]
    [InlineData("/assets/uplot.iife.min.js", "text/javascript; charset=utf-8")]
    [InlineData("/assets/uplot.min.css", "text/css; charset=utf-8")]
    [InlineData("/api", "text/html; charset=utf-8")]
    [InlineData("/reference", "text/html; charset=utf-8")]
    [InlineData("/ui", "text/html; charset=utf-8")]
    public void Each_file_has_exactly_one_content_type_its_own(string path, string contentType)
    {
        // Browsers refuse a script sent as application/json under nosniff, so a second, default type would break the page.
        var types = HeadLines(path).Where(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(["Content-Type: " + contentType], types);
    }

    [Fact]
    public void Asset_carries_a_strong_etag_and_must_be_revalidated()
    {
        var r = Get("/assets/swagger-ui.css");
        Assert.Equal(200, r.Status);
        Assert.Matches("^\"[0-9a-f]{32}\"$", r.Header("ETag")!);
        Assert.Equal("no-cache", r.Header("Cache-Control"));
        Assert.Equal("nosniff", r.Header("X-Content-Type-Options"));
        Assert.Equal(Encoding.UTF8.GetByteCount(r.Body), int.Parse(r.Header("Content-Length")!));
    }

    [Fact]
    public void Asset_answers_304_without_a_body_when_if_none_match_names_its_etag()
    {
        var etag = Get("/assets/scalar-init.js").Header("ETag")!;
        var r = Get("/assets/scalar-init.js", ("If-None-Match", $"\"other\", W/{etag}"));
        Assert.Equal(304, r.Status);
        Assert.Equal(etag, r.Header("ETag"));
        Assert.Null(r.Header("Content-Length"));
        Assert.Equal("", r.Body);
    }

    [Fact]
    public void Asset_is_sent_again_when_if_none_match_names_another_etag()
        => Assert.Equal(200, Get("/assets/scalar-init.js", ("If-None-Match", "\"0123\"")).Status);

    [Fact]
    public void Unknown_asset_is_404_naming_it()
    {
        var r = Get("/assets/evil.js");
        Assert.Equal(404, r.Status);
        Assert.Equal("""{"error":"not_found","detail":"no asset named evil.js"}""", r.Body);
    }

    [Fact]
    public void Head_of_a_page_has_its_length_and_no_body()
    {
        var lines = HeadLines("/reference");
        Assert.Contains(lines, l => l == "Content-Length: " + Encoding.UTF8.GetByteCount(Get("/reference").Body));
    }

    [Fact]
    public void Openapi_json_names_the_daemon_serving_it_as_the_server_to_try_requests_on()
    {
        // OpenAPI 3.1 §4.8.5: a relative server URL is relative to where the document is served. An absolute one
        // (e.g. the default 127.0.0.1:8080) would send "Try it" elsewhere, which the pages' connect-src 'self' refuses.
        using var doc = System.Text.Json.JsonDocument.Parse(Get("/openapi.json").Body);
        Assert.Equal("/", doc.RootElement.GetProperty("servers")[0].GetProperty("url").GetString());
    }

    [Fact]
    public void Guardian_ingest_under_api_still_takes_events()
    {
        var r = RawHttp.Once(fixture.Daemon.Port, "POST", "/api/ingest", """{"message":"beside the docs"}""", ("Content-Type", "application/json"));
        Assert.Equal(202, r.Status);
    }
}
