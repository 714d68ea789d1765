using System.Diagnostics;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Service;

/// <summary>GET /metrics: Prometheus text that promtool accepts, with the families operators alert on.</summary>
public class MetricsTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private string Scrape()
    {
        using var http = new RawHttp(fixture.Daemon.Port);
        var r = http.Exchange("GET", "/metrics", (string?)null);
        Assert.Equal(200, r.Status);
        Assert.StartsWith("text/plain; version=0.0.4", r.Header("Content-Type"));
        return r.Body;
    }

    [Fact]
    public void Metrics_count_requests_events_and_decoded_bytes()
    {
        using (var http = new RawHttp(fixture.Daemon.Port))
        {
            var body = DrainBodies.Encode(System.Text.Encoding.UTF8.GetBytes(DrainBodies.Body("metrics-t", "m", 7)), "gzip");
            http.Send(DrainBodies.Request(body, "gzip"));
            Assert.Equal(202, http.Receive()!.Status);
        }
        var text = Scrape();
        Assert.Matches(@"ingestd_http_requests_total\{route=""/v1/drain"",status=""202""\} [1-9]", text);
        Assert.Matches(@"ingestd_events_total\{dialect=""astralog"",tenant=""-""\} [1-9]", text);
        Assert.Matches(@"ingestd_decoded_bytes_total\{encoding=""gzip""\} [1-9]", text);
        foreach (var family in new[] { "ingestd_ring_capacity_bytes", "ingestd_ring_used_bytes", "ingestd_segments", "ingestd_segment_bytes",
                     "ingestd_fsync_duration_seconds_bucket", "ingestd_block_write_duration_seconds_bucket", "ingestd_backpressure_rejections_total", "ingestd_open_connections",
                     "ingestd_idle_timeout_closes_total", "ingestd_event_bytes_total" })
            Assert.Contains(family, text);
    }

    [Fact]
    public void Request_durations_are_a_histogram_per_route()
    {
        using (var http = new RawHttp(fixture.Daemon.Port))
        {
            http.Send(DrainBodies.Request(System.Text.Encoding.UTF8.GetBytes(DrainBodies.Body("duration-t", "m", 3))));
            Assert.Equal(202, http.Receive()!.Status);
        }
        var text = Scrape();
        Assert.Matches(@"ingestd_http_request_duration_seconds_bucket\{route=""/v1/drain"",le=""0.001""\} \d+", text);
        Assert.Matches(@"ingestd_http_request_duration_seconds_bucket\{route=""/v1/drain"",le=""\+Inf""\} [1-9]", text);
        Assert.Matches(@"ingestd_http_request_duration_seconds_count\{route=""/v1/drain""\} [1-9]", text);
        Assert.Matches(@"ingestd_http_request_duration_seconds_sum\{route=""/v1/drain""\} [0-9.e-]+", text);
    }

    [Fact]
    public void Promtool_accepts_the_exposition()
    {
        var text = Scrape();
        var psi = new ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000));
        Assert.True(p.ExitCode == 0, output);
    }
}
