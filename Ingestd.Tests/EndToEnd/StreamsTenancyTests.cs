using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Streams in open mode (no tenants) and a tenant's <c>streams</c> list across a SIGHUP reload.</summary>
public class StreamsTenancyTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const string Body = """{"timestamp":"2025-02-12T14:32:15Z","source":"payments-app","event":{"transactionId":"TXN"}}""";

    private static RawHttp.Reply Post(int port, string stream, string transaction, string token = "Bearer anything")
        => RawHttp.Once(port, "POST", "/v1/streams/ingest", Body.Replace("TXN", transaction),
            ("Content-Type", "application/json"), ("Authorization", token), ("X-Stream-Id", stream));

    [Fact]
    public void Open_mode_takes_any_stream_and_stores_it_as_both_stream_and_tenant()
    {
        var reply = Post(fixture.Daemon.Port, "open-stream-1", "txn_open");

        Assert.Equal(200, reply.Status);
        var stored = Assert.Single(IngestdCli.ReadRecords(fixture.Daemon.DataDir, "--stream", "open-stream-1"));
        Assert.Equal("open-stream-1", stored.GetProperty("tenant").GetString());
        Assert.Equal("open-stream-1", stored.GetProperty("stream").GetString());
    }

    [Fact]
    public void Open_mode_takes_a_request_without_a_token()
    {
        var reply = RawHttp.Once(fixture.Daemon.Port, "POST", "/v1/streams/ingest", Body.Replace("TXN", "txn_no_token"),
            ("Content-Type", "application/json"), ("X-Stream-Id", "open-stream-2"));
        Assert.Equal(200, reply.Status);
    }

    private static string Tenant(string streams) => $"""
        [[tenants]]
        id = "acct"
        keys = ["tok-acct"]
        {streams}

        """;

    private static void Reload(DaemonProcess daemon, string config)
    {
        int reloads = CountReloads(daemon);
        File.WriteAllText(daemon.ConfigPath, config);
        daemon.Signal(1); // SIGHUP
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (CountReloads(daemon) == reloads && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.True(CountReloads(daemon) > reloads, "the daemon did not reload:\n" + daemon.Output);
    }

    private static int CountReloads(DaemonProcess daemon)
        => daemon.Output.Split('\n').Count(l => l.Contains("reloaded configuration"));

    [Fact]
    public void Sighup_applies_a_changed_streams_list()
    {
        using var dir = new TempDir("ingestd-streams-reload");
        using var daemon = DaemonProcess.Start(dir.File("data"), Tenant("streams = [\"s-1\"]"));
        Assert.Equal(200, Post(daemon.Port, "s-1", "txn_1", "Bearer tok-acct").Status);
        Assert.Equal(403, Post(daemon.Port, "s-2", "txn_2", "Bearer tok-acct").Status);

        Reload(daemon, Tenant("streams = [\"s-1\", \"s-2\"]"));
        Assert.Equal(200, Post(daemon.Port, "s-2", "txn_3", "Bearer tok-acct").Status);
        Assert.Equal(403, Post(daemon.Port, "s-3", "txn_4", "Bearer tok-acct").Status);

        Reload(daemon, Tenant(""));
        Assert.Equal(200, Post(daemon.Port, "s-3", "txn_5", "Bearer tok-acct").Status);

        Assert.Equal(["s-1", "s-2", "s-3"],
            IngestdCli.ReadRecords(daemon.DataDir, "--tenant", "acct").Select(r => r.GetProperty("stream").GetString()));
    }
}
