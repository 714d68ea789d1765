using System.Diagnostics;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Outputs;

/// <summary>Outputs come and go with SIGHUP, and show up in /metrics as promtool accepts them.</summary>
public class OutputLifecycleTests
{
    private const int SIGHUP = 1;

    private static string Output(string url) => $$"""
        [[outputs]]
        name = "capture"
        type = "http_ndjson"
        url = "{{url}}"
        batch = { max_wait = "50ms" }
        """;

    [Fact]
    public void An_output_added_by_reload_delivers_what_was_stored_before_and_one_removed_stops()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, "[limits]\n");
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("t", "before", 10), ("Content-Type", "application/json"));

        File.WriteAllText(daemon.ConfigPath, Output(capture.Url));
        daemon.Signal(SIGHUP);
        Assert.Equal(10, capture.WaitForLines(10).Count);

        File.WriteAllText(daemon.ConfigPath, "[limits]\n");
        daemon.Signal(SIGHUP);
        // At 10, or at 0 when the stop came between the capture's answer and the output reading it (seen on a busy machine).
        daemon.WaitForOutput("output capture: stopped at sequence ");
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("t", "after", 5), ("Content-Type", "application/json"));
        Assert.Equal(10, capture.Lines.Count);
    }

    [Fact]
    public void Output_metrics_are_counted_and_promtool_accepts_them()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer { Fail503Next = 1 };
        using var daemon = DaemonProcess.Start(dir.Path, Output(capture.Url));
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("t", "m", 8), ("Content-Type", "application/json"));
        capture.WaitForLines(8);
        HttpNdjsonOutputTests.WaitUntil(() => HttpNdjsonOutputTests.Metrics(daemon).Contains("ingestd_output_delivered_events_total{output=\"capture\"} 8"));

        string text = HttpNdjsonOutputTests.Metrics(daemon);
        Assert.Contains("ingestd_output_retries_total{output=\"capture\"} 1", text);
        Assert.Contains("ingestd_output_errors_total{output=\"capture\",kind=\"transient\"} 1", text);
        Assert.Contains("ingestd_output_lag_events{output=\"capture\"} 0", text);
        Assert.Contains("ingestd_output_dropped_events_total{output=\"capture\"} 0", text);
        var psi = new ProcessStartInfo("promtool", ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000));
        Assert.True(p.ExitCode == 0, output);
    }
}
