using Ingestd.Tests.Support;

namespace Ingestd.Tests.Outputs;

/// <summary><c>ingestd outputs</c> lists cursors and lag beside a running daemon; <c>outputs reset</c> replays, daemon stopped.</summary>
public class OutputsCliTests
{
    private static string Config(string url) => $$"""
        [[outputs]]
        name = "capture"
        type = "http_ndjson"
        url = "{{url}}"
        batch = { max_wait = "50ms" }
        """;

    [Fact]
    public void Outputs_lists_each_output_with_its_cursor_and_lag()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url));
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("t", "x", 12), ("Content-Type", "application/json"));
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 12);

        var r = IngestdCli.Run("outputs", "--data-dir", dir.Path, "--config", daemon.ConfigPath);
        Assert.Equal(0, r.ExitCode);
        var line = Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("capture "));
        Assert.Matches(@"^capture\s+http_ndjson\s+enabled\s+12\s+0\s+-$", line.TrimEnd());
    }

    [Fact]
    public void Outputs_shows_the_last_error_of_an_output_that_cannot_deliver()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer { Down = true };
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url));
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("t", "x", 5), ("Content-Type", "application/json"));
        HttpNdjsonOutputTests.WaitUntil(() => File.Exists(Path.Combine(dir.Path, "outputs", "capture.error")));

        var r = IngestdCli.Run("outputs", "--data-dir", dir.Path, "--config", daemon.ConfigPath);
        var line = Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("capture "));
        Assert.Matches(@"^capture\s+http_ndjson\s+enabled\s+0\s+5\s+.*HTTP 503", line);
    }

    [Fact]
    public void Reset_is_refused_while_the_daemon_runs()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url));
        var r = IngestdCli.Run("outputs", "reset", "capture", "--to-seq", "0", "--data-dir", dir.Path, "--config", daemon.ConfigPath);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("in use by a running ingestd; stop it first", r.Stderr);
    }

    [Fact]
    public void Reset_to_a_sequence_replays_from_there_at_the_next_start()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        string configPath;
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url)))
        {
            configPath = daemon.ConfigPath;
            RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("t", "x", 20), ("Content-Type", "application/json"));
            capture.WaitForLines(20);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 20);
        }
        var r = IngestdCli.Run("outputs", "reset", "capture", "--to-seq", "15", "--data-dir", dir.Path, "--config", configPath);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("cursor 20 -> 15", r.Stdout);

        using (DaemonProcess.Start(dir.Path, Config(capture.Url)))
            capture.WaitForLines(25);
        Assert.Equal([15L, 16L, 17L, 18L, 19L], capture.Lines.Skip(20).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public void Reset_to_a_time_before_everything_replays_all()
    {
        using var dir = new TempDir();
        using (var daemon = DaemonProcess.Start(dir.Path, null))
            RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("t", "x", 7), ("Content-Type", "application/json"));
        File.WriteAllText(dir.Path + ".conf", Config("http://127.0.0.1:9/"));
        var r = IngestdCli.Run("outputs", "reset", "capture", "--to-time", "2000-01-01T00:00:00Z", "--data-dir", dir.Path, "--config", dir.Path + ".conf");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("cursor none -> 0", r.Stdout);
        r = IngestdCli.Run("outputs", "reset", "capture", "--to-time", "2100-01-01T00:00:00Z", "--data-dir", dir.Path, "--config", dir.Path + ".conf");
        Assert.Contains("-> 7", r.Stdout); // nothing received at or after it: the end of the log
    }

    [Theory]
    [InlineData("outputs reset capture")]
    [InlineData("outputs reset capture --to-seq 1 --to-time 1h")]
    [InlineData("outputs --to-seq 1")]
    [InlineData("outputs rewind capture")]
    public void Wrong_outputs_arguments_are_usage_errors(string args)
    {
        var r = IngestdCli.Run(args.Split(' '));
        Assert.Equal(2, r.ExitCode);
    }
}
