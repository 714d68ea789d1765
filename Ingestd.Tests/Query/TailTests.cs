using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;
using static Ingestd.Tests.Query.QueryHttp;

namespace Ingestd.Tests.Query;

/// <summary><c>GET /v1/tail</c>: the records every dialect stores, live, with the query filters.</summary>
public class TailTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    private int Port => fixture.Daemon.Port;

    [Fact]
    public void The_tail_delivers_new_records_of_every_dialect_as_ingestd_read_prints_them()
    {
        string marker = "tail-" + Guid.NewGuid().ToString("N")[..12];
        using var tail = OpenStream(Port, "/v1/tail?q=" + marker, QueryFixture.Admin);

        Drain(Port, QueryFixture.KeyA, "tenant-a", "svc", ("2024-06-01T00:00:00Z", "info", marker));
        var streams = RawHttp.Once(Port, "POST", "/v1/streams/ingest", $$$"""{"source":"web","event":{"m":"{{{marker}}}"}}""",
            ("Content-Type", "application/json"), ("Authorization", "Bearer " + QueryFixture.KeyA), ("X-Stream-Id", "checkout"));
        Assert.Equal(200, streams.Status);
        var air = RawHttp.Once(Port, "POST", "/v1/ingest/events", $$"""{"entries":[{"timestamp":"2024-06-01T00:00:00Z","name":"{{marker}}"}]}""",
            ("Content-Type", "application/json"), ("Authorization", "Bearer " + AirToken("tenant-a")));
        Assert.Equal(200, air.Status);
        var guardian = RawHttp.Once(Port, "POST", "/api/ingest", $"2024-06-01 00:00:00 WARN {marker}\n",
            ("Content-Type", "text/plain"), ("X-API-Key", QueryFixture.KeyA));
        Assert.Equal(202, guardian.Status);

        var frames = ReadFrames(tail, 4, TimeSpan.FromSeconds(10));
        Assert.All(frames, f => Assert.Equal("record", f.Event));
        var records = frames.Select(f => JsonDocument.Parse(f.Data).RootElement).ToList();
        Assert.Equal(["astralog", "streams", "air", "guardian"], records.Select(r => r.GetProperty("dialect").GetString()));
        Assert.All(records, r => Assert.Equal("tenant-a", r.GetProperty("tenant").GetString()));
        Assert.All(records, r => Assert.False(r.TryGetProperty("seq", out _)));
        Assert.Equal("checkout", records[1].GetProperty("stream").GetString());
    }

    [Fact]
    public void The_tail_applies_the_query_filters()
    {
        string marker = "tailf-" + Guid.NewGuid().ToString("N")[..12];
        using var tail = OpenStream(Port, $"/v1/tail?service={marker}&level=error&where=" + Uri.EscapeDataString("contains(message, 'keep')"), QueryFixture.Admin);
        Drain(Port, QueryFixture.KeyA, "tenant-a", marker,
            ("2024-06-01T00:00:00Z", "info", "keep but info"), ("2024-06-01T00:00:00Z", "error", "drop"), ("2024-06-01T00:00:00Z", "error", "keep me"));
        Drain(Port, QueryFixture.KeyA, "tenant-a", marker, ("2024-06-01T00:00:00Z", "error", "keep too"));
        var frames = ReadFrames(tail, 3, TimeSpan.FromSeconds(3));
        Assert.Equal(["keep me", "keep too"], frames.Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("event").GetProperty("message").GetString()));
    }
}

/// <summary>A tail subscriber that stops reading is dropped with a last event; ingest goes on acknowledging.</summary>
public class SlowTailTests : IDisposable
{
    private readonly TempDir _dir = new("ingestd-slowtail");
    private readonly DaemonProcess _daemon;

    public SlowTailTests() => _daemon = DaemonProcess.Start(_dir.File("data"), "[limits]\nsse_subscriber_buffer = 4\n");

    public void Dispose()
    {
        _daemon.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_stalled_tail_subscriber_is_dropped_with_a_final_event_while_ingest_keeps_acknowledging()
    {
        using var stalled = OpenStream(_daemon.Port, "/v1/tail", null, receiveBufferSize: 1024);
        // Big events, so the daemon's socket buffers fill and its queue of 4 frames overflows while nobody reads.
        var message = new string('m', 8000); // 16 MB in all: more than any socket buffers hold
        for (int i = 0; i < 40; i++)
            Drain(_daemon.Port, "", "org-slow", "svc", Enumerable.Range(0, 50).Select(_ => ("2024-06-01T00:00:00Z", "info", message)).ToArray());
        Assert.Equal(2000, IngestdCli.ReadRecords(_daemon.DataDir, "--tenant", "org-slow").Count);

        // Now read: what was already on its way, then the last event, then the end of the stream.
        var seen = new StringBuilder();
        var sink = new byte[65536];
        stalled.ReceiveTimeout = 30_000;
        for (int i = 0; i < 100_000; i++)
        {
            int n;
            try { n = stalled.Receive(sink); }
            catch (SocketException) { break; }
            if (n == 0) break;
            seen.Append(Encoding.UTF8.GetString(sink, 0, n));
        }
        string text = seen.ToString();
        int last = text.LastIndexOf("event: ", StringComparison.Ordinal);
        Assert.True(last >= 0, "no event at all");
        Assert.StartsWith("event: dropped\ndata: {\"reason\":\"slow_consumer\"", text[last..]);
        Assert.EndsWith("\n\n", text);
    }
}
