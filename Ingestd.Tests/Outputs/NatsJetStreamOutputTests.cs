using System.Text.Json;
using Ingestd.Tests.Support;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Ingestd.Tests.Outputs;

/// <summary>
/// The <c>nats_jetstream</c> output publishing to a real <c>nats-server -js</c>: every event lands in the stream once,
/// with <c>Nats-Msg-Id</c> = the event id, across a server outage and a replay.
/// </summary>
public class NatsJetStreamOutputTests
{
    private static string Config(string url) => $$"""
        [server]
        node_id = "node-a"

        [[outputs]]
        name = "js"
        type = "nats_jetstream"
        url = "{{url}}"
        subject = "logs.{tenant}.{dialect}"
        timeout = "3s"
        retry_max_backoff = "500ms"
        batch = { max_events = 20, max_wait = "50ms" }
        """;

    private static void Ingest(DaemonProcess daemon, string tenant, string tag, int count)
    {
        var reply = RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body(tenant, tag, count), ("Content-Type", "application/json"));
        Assert.Equal(202, reply.Status);
    }

    private static void CreateStream(string url)
    {
        Task.Run(async () =>
        {
            await using var nats = new NatsConnection(NatsOpts.Default with { Url = url });
            var js = new NatsJSContext(nats);
            await js.CreateStreamAsync(new StreamConfig("LOGS", ["logs.>"]));
        }).GetAwaiter().GetResult();
    }

    /// <summary>Every message of the stream: subject, Nats-Msg-Id and the data as JSON.</summary>
    private static List<(string Subject, string MsgId, JsonElement Data)> ReadStream(string url)
    {
        return Task.Run(async () =>
        {
            await using var nats = new NatsConnection(NatsOpts.Default with { Url = url });
            var js = new NatsJSContext(nats);
            var stream = await js.GetStreamAsync("LOGS");
            long count = (long)stream.Info.State.Messages;
            var result = new List<(string, string, JsonElement)>();
            if (count == 0) return result;
            var consumer = await js.CreateOrderedConsumerAsync("LOGS");
            await foreach (var msg in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = (int)count, Expires = TimeSpan.FromSeconds(10) }))
                result.Add((msg.Subject, msg.Headers!["Nats-Msg-Id"].ToString(), JsonDocument.Parse(msg.Data!).RootElement.Clone()));
            return result;
        }).GetAwaiter().GetResult();
    }

    [Fact]
    public void Events_land_in_the_stream_once_each_with_the_event_id_as_Nats_Msg_Id()
    {
        using var store = new TempDir();
        using var dir = new TempDir();
        using var nats = NatsServer.Start(store.Path, TestPorts.FreePort());
        CreateStream(nats.Url);
        using (var daemon = DaemonProcess.Start(dir.Path, Config(nats.Url)))
        {
            Ingest(daemon, "acme", "js", 50);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 50, "js");
        }
        // The events of a batch are published concurrently: the stream may hold them in another order.
        var messages = ReadStream(nats.Url).OrderBy(m => m.Data.GetProperty("seq").GetInt64()).ToList();
        var stored = IngestdCli.ReadRecords(dir.Path);
        Assert.Equal(stored.Count, messages.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            string id = $"node-a-{stored[i].GetProperty("seq").GetInt64()}";
            Assert.Equal("logs.acme.astralog", messages[i].Subject);
            Assert.Equal(id, messages[i].MsgId);
            Assert.Equal(id, messages[i].Data.GetProperty("id").GetString());
            Assert.Equal(stored[i].GetProperty("event").GetRawText(), messages[i].Data.GetProperty("event").GetRawText());
        }
    }

    [Fact]
    public void Nothing_is_lost_while_nats_is_down_and_a_replay_is_deduplicated()
    {
        using var store = new TempDir();
        using var dir = new TempDir();
        int port = TestPorts.FreePort();
        string url = $"nats://127.0.0.1:{port}";
        using (var daemon = DaemonProcess.Start(dir.Path, Config(url)))
        {
            Ingest(daemon, "acme", "down", 30);
            HttpNdjsonOutputTests.WaitUntil(() => File.Exists(Path.Combine(dir.Path, "outputs", "js.error")));
            using var nats = NatsServer.Start(store.Path, port);
            CreateStream(url);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 30, "js");
        }

        using (var nats = NatsServer.Start(store.Path, port))
        {
            Assert.Equal(30, ReadStream(url).Select(m => m.MsgId).Distinct().Count());
            // Replay everything: JetStream drops what it has seen by Nats-Msg-Id.
            Assert.Equal(0, IngestdCli.Run("outputs", "reset", "js", "--to-seq", "0", "--data-dir", dir.Path, "--config", dir.Path + ".conf").ExitCode);
            using (var daemon = DaemonProcess.Start(dir.Path, Config(url)))
            {
                Ingest(daemon, "acme", "more", 5);
                HttpNdjsonOutputTests.WaitForCursor(dir.Path, 35, "js");
            }
            var messages = ReadStream(url);
            Assert.Equal(35, messages.Count);
            Assert.Equal(35, messages.Select(m => m.MsgId).Distinct().Count());
        }
    }

    [Fact]
    public void Nats_killed_mid_delivery_and_restarted_loses_nothing_and_duplicates_nothing()
    {
        using var store = new TempDir();
        using var dir = new TempDir();
        int port = TestPorts.FreePort();
        string url = $"nats://127.0.0.1:{port}";
        using var daemon = DaemonProcess.Start(dir.Path, Config(url));
        var nats = NatsServer.Start(store.Path, port);
        try
        {
            CreateStream(url);
            Ingest(daemon, "acme", "before", 40);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 40, "js");
            Ingest(daemon, "acme", "during", 200);
        }
        finally
        {
            nats.Dispose(); // SIGKILL, whatever the output is doing
        }
        Ingest(daemon, "acme", "while-down", 60);
        using (NatsServer.Start(store.Path, port))
        {
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 300, "js");
            var messages = ReadStream(url);
            var stored = IngestdCli.ReadRecords(dir.Path);
            Assert.Equal(300, stored.Count);
            Assert.Equal(300, messages.Count);
            Assert.Equal(stored.Select(r => $"node-a-{r.GetProperty("seq").GetInt64()}").Order(), messages.Select(m => m.MsgId).Order());
        }
    }

    [Fact]
    public void With_the_servers_of_a_cluster_listed_events_are_delivered_while_one_of_them_is_down()
    {
        using var store = new TempDir();
        using var dir = new TempDir();
        using var nats = NatsServer.Start(store.Path, TestPorts.FreePort());
        CreateStream(nats.Url);
        // The client tries the listed servers in random order: the dead one first about half the time.
        string urls = $"nats://127.0.0.1:{TestPorts.FreePort()}, {nats.Url}";
        using (var daemon = DaemonProcess.Start(dir.Path, Config(urls)))
        {
            Ingest(daemon, "acme", "listed", 20);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 20, "js");
        }
        Assert.Equal(20, ReadStream(nats.Url).Select(m => m.MsgId).Distinct().Count());
    }
}
