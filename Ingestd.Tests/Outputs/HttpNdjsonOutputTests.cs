using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Outputs;

/// <summary>
/// The <c>http_ndjson</c> output of a real daemon, delivering to a capture server on loopback: what arrives is what
/// `ingestd read` prints, with ids, in order, at least once, whatever the destination does meanwhile.
/// </summary>
public class HttpNdjsonOutputTests
{
    // A generous timeout: a slow answer under load would be retried and seen twice by the capture server.
    private static string Config(string url, string extra = "", string timeout = "15s") => $$"""
        [server]
        node_id = "node-a"

        [[outputs]]
        name = "capture"
        type = "http_ndjson"
        url = "{{url}}"
        timeout = "{{timeout}}"
        retry_max_backoff = "500ms"
        batch = { max_events = 50, max_wait = "50ms" }
        {{extra}}
        """;

    private static void Ingest(DaemonProcess daemon, string tenant, string tag, int count)
    {
        var reply = RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body(tenant, tag, count), ("Content-Type", "application/json"));
        Assert.Equal(202, reply.Status);
    }

    private static string Message(JsonElement line) => line.GetProperty("event").GetProperty("message").GetString()!;

    private static List<JsonElement> Parse(List<string> lines) => lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void Delivered_events_are_exactly_what_is_stored_in_order_with_their_ids()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url));
        Ingest(daemon, "t1", "first", 120);
        Ingest(daemon, "t2", "second", 30);

        var delivered = Parse(capture.WaitForLines(150));
        var stored = IngestdCli.ReadRecords(dir.Path);
        Assert.Equal(150, stored.Count);
        Assert.Equal(stored.Count, delivered.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            long seq = stored[i].GetProperty("seq").GetInt64();
            Assert.Equal($"node-a-{seq}", delivered[i].GetProperty("id").GetString());
            // The line is the stored record as `read` prints it, plus the id.
            var withoutId = JsonSerializer.Serialize(delivered[i].EnumerateObject().Where(p => p.Name != "id")
                .ToDictionary(p => p.Name, p => p.Value));
            var readLine = JsonSerializer.Serialize(stored[i].EnumerateObject().ToDictionary(p => p.Name, p => p.Value));
            Assert.Equal(readLine, withoutId);
        }
    }

    [Fact]
    public void Route_tags_are_delivered_as_read_prints_them()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url) + """

            [[pipelines]]
            name = "tag"
            [[pipelines.steps]]
            type = "route"
            routes = ["store", "alerts"]
            """);
        Ingest(daemon, "t", "routed", 5);
        var delivered = Parse(capture.WaitForLines(5));
        var stored = IngestdCli.ReadRecords(dir.Path);
        Assert.Equal(5, delivered.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(stored[i].GetProperty("routes").GetRawText(), delivered[i].GetProperty("routes").GetRawText());
            Assert.Equal("""["store","alerts"]""", delivered[i].GetProperty("routes").GetRawText());
        }
    }

    [Fact]
    public void Only_records_matching_the_condition_are_delivered()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url, "match = { tenant = [\"wanted\"], level = [\"ERROR\"] }"));
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("wanted", "err", 5, level: "error"), ("Content-Type", "application/json"));
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("wanted", "info", 5), ("Content-Type", "application/json"));
        RawHttp.Once(daemon.Port, "POST", "/v1/drain", DrainBodies.Body("other", "err-other", 5, level: "error"), ("Content-Type", "application/json"));
        Ingest(daemon, "wanted", "marker", 0 + 1); // not matching (info): proves the reader went past the others
        WaitForCursor(dir.Path, 16);

        var delivered = Parse(capture.Lines);
        Assert.Equal(5, delivered.Count);
        Assert.All(delivered, d => Assert.StartsWith("err-", Message(d)));
        Assert.All(delivered, d => Assert.Equal("wanted", d.GetProperty("tenant").GetString()));
    }

    [Fact]
    public void Only_records_whose_event_fields_satisfy_the_where_condition_are_delivered()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url, "match = { where = \"metadata.user_id >= 7\" }"));
        Ingest(daemon, "t", "user", 10);
        WaitForCursor(dir.Path, 10);

        var delivered = Parse(capture.Lines);
        Assert.Equal(["user-7", "user-8", "user-9"], delivered.Select(Message).ToArray());
    }

    [Fact]
    public void A_dead_destination_does_not_stop_ingest_and_nothing_is_lost_once_it_returns()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer { Down = true };
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url));
        for (int i = 0; i < 10; i++) Ingest(daemon, "t", "down" + i, 40);
        Assert.Empty(capture.Lines);
        WaitUntil(() => capture.Requests >= 2);
        Assert.Contains("ingestd_output_retries_total{output=\"capture\"}", Metrics(daemon));

        capture.Down = false;
        var delivered = Parse(capture.WaitForLines(400));
        Assert.Equal(400, delivered.Select(d => d.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(IngestdCli.ReadRecords(dir.Path).Select(r => r.GetProperty("seq").GetInt64()),
            delivered.Select(d => d.GetProperty("seq").GetInt64()).Distinct().Order());
    }

    [Fact]
    public void A_hanging_destination_is_retried_after_the_timeout_without_loss()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer { Hang = true };
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url, timeout: "1s"));
        Ingest(daemon, "t", "hang", 20);
        WaitUntil(() => capture.Requests >= 1);
        Ingest(daemon, "t", "hang-more", 20);
        capture.Hang = false;
        var delivered = Parse(capture.WaitForLines(40));
        Assert.Equal(40, delivered.Select(d => d.GetProperty("seq").GetInt64()).Distinct().Count());
    }

    [Fact]
    public void A_restarted_daemon_resumes_from_the_cursor_without_gaps()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url)))
        {
            Ingest(daemon, "t", "before", 60);
            capture.WaitForLines(60);
            WaitForCursor(dir.Path, 60);
            Assert.Equal(0, daemon.Terminate());
        }
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url)))
        {
            Ingest(daemon, "t", "after", 40);
            capture.WaitForLines(100);
            WaitForCursor(dir.Path, 100);
        }
        var seqs = Parse(capture.Lines).Select(d => d.GetProperty("seq").GetInt64()).ToList();
        // A clean stop leaves nothing to redeliver: every sequence exactly once, in order.
        Assert.Equal(IngestdCli.ReadRecords(dir.Path).Select(r => r.GetProperty("seq").GetInt64()), seqs);
    }

    [Fact]
    public void A_killed_daemon_redelivers_at_most_what_was_unacknowledged_and_never_leaves_a_gap()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url)))
        {
            Ingest(daemon, "t", "before", 80);
            capture.WaitForLines(80);
            daemon.Kill();
        }
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url)))
        {
            Ingest(daemon, "t", "after", 20);
            WaitForCursor(dir.Path, 100);
        }
        var seqs = Parse(capture.Lines).Select(d => d.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(IngestdCli.ReadRecords(dir.Path).Select(r => r.GetProperty("seq").GetInt64()), seqs.Distinct().Order());
    }

    [Fact]
    public void A_refused_event_goes_to_the_dead_letter_file_with_the_reason_and_the_rest_is_delivered()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer { RefuseMarker = "poison-7\"" };
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url));
        Ingest(daemon, "t", "poison", 20);
        WaitForCursor(dir.Path, 20);

        var delivered = Parse(capture.Lines);
        Assert.Equal(19, delivered.Count);
        Assert.DoesNotContain(delivered, d => Message(d) == "poison-7");
        var dead = File.ReadAllLines(Path.Combine(dir.Path, "outputs", "capture.dead.ndjson"));
        var letter = Assert.Single(dead);
        using var json = JsonDocument.Parse(letter);
        Assert.Contains("HTTP 400", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal("poison-7", json.RootElement.GetProperty("record").GetProperty("event").GetProperty("message").GetString());
        Assert.StartsWith("node-a-", json.RootElement.GetProperty("record").GetProperty("id").GetString());
    }

    [Fact]
    public void A_torn_cursor_file_starts_over_at_the_configured_start()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url)))
        {
            Ingest(daemon, "t", "first", 30);
            WaitForCursor(dir.Path, 30);
        }
        string cursor = Path.Combine(dir.Path, "outputs", "capture.cursor");
        File.WriteAllBytes(cursor, File.ReadAllBytes(cursor)[..10]);
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url, "start = \"earliest\"")))
        {
            capture.WaitForLines(60);
            // Logged before the first delivery, but the daemon's output is read here on its own thread.
            daemon.WaitForOutput("cursor unusable");
        }
        // Everything again from the oldest record: twice each, nothing missing.
        var seqs = Parse(capture.Lines).Select(d => d.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(60, seqs.Count);
        Assert.Equal(30, seqs.Distinct().Count());
    }

    [Fact]
    public void A_new_output_that_starts_at_the_latest_record_skips_what_was_stored_before()
    {
        using var dir = new TempDir();
        using (var daemon = DaemonProcess.Start(dir.Path, null))
            Ingest(daemon, "t", "old", 25);
        using var capture = new CaptureServer();
        using (var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url, "start = \"latest\"")))
        {
            Ingest(daemon, "t", "new", 5);
            WaitForCursor(dir.Path, 30);
        }
        Assert.All(Parse(capture.Lines), d => Assert.StartsWith("new-", Message(d)));
        Assert.Equal(5, capture.Lines.Count);
    }

    [Fact]
    public void Gzip_bodies_arrive_whole()
    {
        using var dir = new TempDir();
        using var capture = new CaptureServer();
        using var daemon = DaemonProcess.Start(dir.Path, Config(capture.Url, "gzip = true"));
        Ingest(daemon, "t", "zip", 70);
        Assert.Equal(70, capture.WaitForLines(70).Count);
    }

    internal static string Metrics(DaemonProcess daemon) => RawHttp.Once(daemon.Port, "GET", "/metrics", null).Body;

    internal static void WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 1800 && !condition(); i++) Thread.Sleep(50);
        Assert.True(condition(), "condition not reached within 90 s");
    }

    /// <summary>Waits until the output's cursor file says everything below <paramref name="next"/> was handled.</summary>
    internal static void WaitForCursor(string dataDir, long next, string name = "capture")
    {
        string path = Path.Combine(dataDir, "outputs", name + ".cursor");
        WaitUntil(() => ReadCursor(path) >= next);
    }

    internal static long ReadCursor(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return bytes.Length == 28 ? BitConverter.ToInt64(bytes, 8) : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
