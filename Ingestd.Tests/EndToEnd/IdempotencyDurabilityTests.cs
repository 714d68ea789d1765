using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.EndToEnd;

/// <summary>Guardian's Idempotency-Key replay only ever stands for events that are stored.</summary>
public class IdempotencyDurabilityTests
{
    private const string Config = """
        [storage]
        durability = "write"

        [[tenants]]
        id = "org-idem"
        keys = ["tok-idem"]
        """;

    private static RawHttp.Reply Post(int port, string key, string message)
    {
        using var http = new RawHttp(port);
        return http.Exchange("POST", "/api/ingest", Encoding.UTF8.GetBytes("{\"message\":\"" + message + "\"}"),
            ("X-API-Key", "tok-idem"), ("Idempotency-Key", key), ("Content-Type", "application/json"));
    }

    private static int Stored(string dataDir, string message)
        => IngestdCli.ReadRecords(dataDir, "--dialect", "guardian")
            .Count(r => r.GetProperty("event").GetProperty("message").GetString() == message);

    [Fact]
    public void Retry_after_its_events_were_lost_to_a_bad_block_is_stored_again_not_replayed()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        string key = Guid.NewGuid().ToString(), message = "idem-" + key;
        using (var daemon = DaemonProcess.Start(data, Config))
        {
            Assert.Equal(202, Post(daemon.Port, key, message).Status);
            Assert.Equal(0, daemon.Terminate());
        }
        // The only block of the newest segment goes bad: its payload CRC no longer holds.
        var segment = Directory.GetFiles(data, "*.seg").Order().Last();
        using (var f = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = 32 + 52 + 3;
            int b = f.ReadByte();
            f.Position = 32 + 52 + 3;
            f.WriteByte((byte)(b ^ 0xFF));
        }

        using (var daemon = DaemonProcess.Start(data, Config))
        {
            var retry = Post(daemon.Port, key, message);
            Assert.Equal(202, retry.Status);
            Assert.Null(retry.Header("X-Idempotent-Replay"));
            Assert.Contains("dropped 1 responses", daemon.Output);
            Assert.Equal(0, daemon.Terminate());
        }
        Assert.Equal(1, Stored(data, message));
    }

    [Fact]
    public void Under_memory_durability_a_request_with_an_idempotency_key_is_answered_once_its_events_are_written()
    {
        using var dir = new TempDir();
        var data = dir.File("data");
        string key = Guid.NewGuid().ToString(), message = "idem-mem-" + key;
        using var daemon = DaemonProcess.Start(data, Config.Replace("\"write\"", "\"memory\""));
        Assert.Equal(202, Post(daemon.Port, key, message).Status);
        daemon.Kill();
        Assert.Equal(1, Stored(data, message));
    }
}
