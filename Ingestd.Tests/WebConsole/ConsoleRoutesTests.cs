using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.WebConsole;

/// <summary>GET /ui and GET /v1/overview over HTTP: what they send, to whom.</summary>
public class ConsoleRoutesTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private RawHttp.Reply Get(string path, params (string, string)[] headers) => RawHttp.Once(fixture.Daemon.Port, "GET", path, (string?)null, headers);

    private JsonElement Overview(string key)
    {
        var reply = Get("/v1/overview", ("Authorization", "Bearer " + key));
        Assert.Equal(200, reply.Status);
        Assert.Equal("no-store", reply.Header("Cache-Control"));
        return JsonDocument.Parse(reply.Body).RootElement;
    }

    // The overview samples once a second: poll (bounded) until the traffic shows.
    private JsonElement OverviewShowing(string key, string tenant)
    {
        for (int i = 0; i < 100; i++)
        {
            var overview = Overview(key);
            if (overview.GetProperty("events_per_second").EnumerateArray().Any(s => s.GetProperty("tenant").GetString() == tenant)) return overview;
            Thread.Sleep(100);
        }
        throw new Xunit.Sdk.XunitException($"no traffic of {tenant} in /v1/overview");
    }

    [Fact]
    public void Ui_is_an_html_page_loading_its_scripts_and_charts_from_the_daemon_itself()
    {
        var r = Get("/ui");
        Assert.Equal(200, r.Status);
        Assert.Equal("text/html; charset=utf-8", r.Header("Content-Type"));
        Assert.Contains("""<script src="/assets/uplot.iife.min.js"></script>""", r.Body);
        Assert.Contains("""<script src="/assets/console.js"></script>""", r.Body);
        Assert.DoesNotContain("http", r.Body);
        Assert.Contains("fetch('/v1/overview'", Get("/assets/console.js").Body);
    }

    [Fact]
    public void Ui_allows_scripts_styles_and_requests_from_its_own_origin_only()
    {
        var policy = Get("/ui").Header("Content-Security-Policy")!;
        var directives = policy.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("default-src 'none'", directives["default-src"]);
        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("style-src 'self'", directives["style-src"]);
        Assert.Equal("connect-src 'self'", directives["connect-src"]);
        Assert.Equal("frame-ancestors 'none'", directives["frame-ancestors"]);
    }

    [Fact]
    public void Links_to_the_api_documentation_pages()
    {
        var page = Get("/ui").Body;
        Assert.Contains("""href="/api">""", page);
        Assert.Contains("""href="/reference">""", page);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("key-unknown")]
    public void Overview_refuses_a_missing_or_unknown_key_when_tenants_are_configured(string? key)
    {
        var reply = key is null ? Get("/v1/overview") : Get("/v1/overview", ("Authorization", key));
        Assert.Equal(401, reply.Status);
        Assert.Equal("unauthorized", JsonDocument.Parse(reply.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public void Overview_with_a_tenant_key_lists_only_that_tenants_traffic()
    {
        fixture.Send("beta", "beta-overview");
        fixture.Send("alpha", "alpha-overview");
        OverviewShowing("key-beta", "beta");
        var overview = OverviewShowing("key-alpha", "alpha");
        foreach (var family in new[] { "events_per_second", "bytes_per_second" })
            Assert.All(overview.GetProperty(family).EnumerateArray(), s => Assert.Equal("alpha", s.GetProperty("tenant").GetString()));
    }

    [Fact]
    public void Overview_with_an_admin_key_lists_every_tenant()
    {
        fixture.Send("beta", "beta-admin");
        fixture.Send("alpha", "alpha-admin");
        OverviewShowing("key-admin", "beta");
        var tenants = OverviewShowing("key-admin", "alpha").GetProperty("events_per_second").EnumerateArray()
            .Select(s => s.GetProperty("tenant").GetString()).ToList();
        Assert.Contains("alpha", tenants);
        Assert.Contains("beta", tenants);
    }

    [Fact]
    public void Overview_accepts_the_key_as_x_api_key_too()
        => Assert.Equal(200, Get("/v1/overview", ("X-API-Key", "key-alpha")).Status);

    [Fact]
    public void Overview_gives_every_figure_one_value_per_sample()
    {
        fixture.Send("alpha", "alpha-shape");
        var o = OverviewShowing("key-alpha", "alpha");
        int n = o.GetProperty("time").GetArrayLength();
        Assert.True(n >= 1);
        Assert.True(o.GetProperty("ring_capacity_bytes").GetInt64() > 0);
        foreach (var name in new[] { "ring_used_bytes", "segments", "segment_bytes" })
            Assert.Equal(n, o.GetProperty(name).GetArrayLength());
        foreach (var name in new[] { "block_write_seconds", "fsync_seconds" })
        {
            Assert.Equal(n, o.GetProperty(name).GetProperty("mean").GetArrayLength());
            Assert.Equal(n, o.GetProperty(name).GetProperty("p99").GetArrayLength());
        }
        foreach (var series in o.GetProperty("events_per_second").EnumerateArray())
        {
            Assert.Equal("astralog", series.GetProperty("dialect").GetString());
            Assert.Equal(n, series.GetProperty("values").GetArrayLength());
        }
        Assert.Equal(JsonValueKind.Array, o.GetProperty("outputs").ValueKind);
    }
}
