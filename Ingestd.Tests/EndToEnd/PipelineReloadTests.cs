using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Pipelines at start-up and across SIGHUP: swapped whole, lookup files re-read, a bad file keeps the running ones.</summary>
public class PipelineReloadTests
{
    private static string Config(string csv, string stepType = "enrich") => $$"""
        [[pipelines]]
        name = "teams"
        [[pipelines.steps]]
        type = "{{stepType}}"
        lookup = { file = "{{csv}}", key = "service", columns = ["team"] }
        """;

    private static void Send(DaemonProcess daemon, string tag)
    {
        string body = $$"""{"events":[{"project_id":"org-r","timestamp":"2024-05-31T15:30:00Z","level":"info","service":"api-gateway","message":"{{tag}}"}]}""";
        Assert.Equal(202, RawHttp.Once(daemon.Port, "POST", "/v1/drain", body, ("Content-Type", "application/json")).Status);
    }

    private static string? TeamOf(DaemonProcess daemon, string tag)
    {
        var record = Assert.Single(IngestdCli.ReadRecords(daemon.DataDir), r => r.GetProperty("event").GetProperty("message").GetString() == tag);
        return record.GetProperty("event").TryGetProperty("team", out var team) ? team.GetString() : null;
    }

    [Fact]
    public void Sighup_rereads_the_lookup_file()
    {
        using var dir = new TempDir("ingestd-pipeline-reload");
        string csv = dir.File("teams.csv");
        File.WriteAllText(csv, "service,team\napi-gateway,platform\n");
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(csv));
        Send(daemon, "before-reload");

        File.WriteAllText(csv, "service,team\napi-gateway,edge\n");
        int reloads = daemon.LinesContaining("reloaded configuration");
        daemon.Signal(1); // SIGHUP
        daemon.WaitForOutput("reloaded configuration", reloads + 1);
        Send(daemon, "after-reload");

        Assert.Equal(("platform", "edge"), (TeamOf(daemon, "before-reload"), TeamOf(daemon, "after-reload")));
    }

    [Fact]
    public void A_bad_pipeline_on_reload_keeps_the_running_ones()
    {
        using var dir = new TempDir("ingestd-pipeline-bad-reload");
        string csv = dir.File("teams.csv");
        File.WriteAllText(csv, "service,team\napi-gateway,platform\n");
        using var daemon = DaemonProcess.Start(dir.File("data"), Config(csv));

        File.WriteAllText(daemon.ConfigPath, Config(csv, stepType: "frobnicate"));
        int rejected = daemon.LinesContaining("reload rejected");
        daemon.Signal(1); // SIGHUP
        daemon.WaitForOutput("reload rejected", rejected + 1);
        Assert.Contains("unknown step type \"frobnicate\"", daemon.Output);
        Send(daemon, "after-bad-reload");

        Assert.Equal("platform", TeamOf(daemon, "after-bad-reload"));
    }

    [Fact]
    public void A_bad_pipeline_stops_start_up_naming_file_line_and_key()
    {
        using var dir = new TempDir("ingestd-pipeline-bad-start");
        string config = dir.File("ingestd.conf");
        File.WriteAllText(config, """
            [[pipelines]]
            name = "p"
            [[pipelines.steps]]
            type = "filter"
            drop_if = "level = 'debug'"
            """);
        var r = IngestdCli.Run("--config", config, "--listen", "127.0.0.1:0", "--data-dir", dir.File("data"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{config}:5: pipelines[0] 'p' step 1 (filter).drop_if: column 7: '=' is not an operator; use '=='", r.Stderr);
    }
}
