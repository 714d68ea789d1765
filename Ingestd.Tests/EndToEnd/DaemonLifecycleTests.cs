using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Start-up, CLI basics, timeouts and the data-directory lock, against the real process.</summary>
public class DaemonLifecycleTests
{
    [Fact]
    public void Version_prints_the_version_and_exits_0()
    {
        var r = IngestdCli.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("ingestd ", r.Stdout);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var r = IngestdCli.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("read", r.Stdout);
        Assert.Contains("verify", r.Stdout);
    }

    [Fact]
    public void Unknown_option_exits_2_with_a_message()
    {
        var r = IngestdCli.Run("--frobnicate");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--frobnicate", r.Stderr);
    }

    [Fact]
    public void Bad_config_value_stops_start_up_naming_the_key()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("bad.conf"), "[storage]\ndurability = \"fsink\"\n");
        var r = IngestdCli.Run("--config", dir.File("bad.conf"), "--data-dir", dir.File("data"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("storage.durability", r.Stderr);
        Assert.Contains(":2", r.Stderr);
    }

    [Fact]
    public void A_second_daemon_on_the_same_data_directory_refuses_to_start()
    {
        using var dir = new TempDir();
        using var first = DaemonProcess.Start(dir.File("data"));
        var second = IngestdCli.Run("--listen", "127.0.0.1:0", "--data-dir", dir.File("data"));
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("in use", second.Stderr);
    }

    [Fact]
    public void Headers_not_finished_within_the_header_timeout_get_408_and_close()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"), "[limits]\nheader_timeout = \"1s\"\n");
        using var http = new RawHttp(daemon.Port);
        http.Send("POST /v1/drain HTTP/1.1\r\nHost: x\r\n");
        var reply = http.Receive();
        Assert.NotNull(reply);
        Assert.Equal(408, reply!.Status);
        Assert.True(http.ServerClosed());
    }

    [Fact]
    public void Idle_keep_alive_connections_are_closed_after_the_idle_timeout()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"), "[limits]\nidle_timeout = \"1s\"\n");
        using var http = new RawHttp(daemon.Port);
        http.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(200, http.Receive()!.Status);
        Assert.True(http.ServerClosed(timeoutMs: 10_000));
    }

    [Fact]
    public void A_body_that_stalls_past_the_body_timeout_gets_408()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"), "[limits]\nbody_timeout = \"1s\"\n");
        using var http = new RawHttp(daemon.Port);
        http.Send("POST /v1/drain HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"events\":");
        var reply = http.Receive();
        Assert.Equal(408, reply!.Status);
        Assert.True(http.ServerClosed());
    }
}
