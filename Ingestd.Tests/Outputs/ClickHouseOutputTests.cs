using System.Globalization;
using System.Text.Json;
using Ingestd.Config;
using Ingestd.Outputs;
using Ingestd.Outputs.Destinations;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Outputs;

/// <summary>
/// The <c>clickhouse</c> output of a real daemon inserting into a real clickhouse-server (Debian's 18.16): the rows
/// read back hold exactly what is stored, a redelivery collapses under ReplacingMergeTree, an outage loses nothing,
/// a row the table refuses is dead-lettered and the rest delivered.
/// </summary>
public class ClickHouseOutputTests(ClickHouseFixture clickhouse) : IClassFixture<ClickHouseFixture>
{
    private static string Config(string url, string table, string extra = "", int maxEvents = 25) => $$"""
        [server]
        node_id = "node-a"

        [[outputs]]
        name = "ch"
        type = "clickhouse"
        url = "{{url}}"
        table = "{{table}}"
        timeout = "15s"
        retry_max_backoff = "500ms"
        batch = { max_events = {{maxEvents}}, max_wait = "50ms" }
        {{extra}}
        """;

    private static void Ingest(DaemonProcess daemon, string tenant, string tag, int count, string level = "info")
        => Ingest(daemon, DrainBodies.Body(tenant, tag, count, level));

    private static void Ingest(DaemonProcess daemon, string body)
    {
        var reply = RawHttp.Once(daemon.Port, "POST", "/v1/drain", body, ("Content-Type", "application/json"));
        Assert.Equal(202, reply.Status);
    }

    private static void CreateTable(ClickHouseServer server, string table) => server.Query(ClickHouseDestination.CreateStatement(table));

    /// <summary>RFC 3339 with nine fraction digits, as <c>ingestd read</c> prints <c>time</c>, in Unix nanoseconds.</summary>
    private static long UnixNanos(string rfc3339)
    {
        long seconds = DateTimeOffset.ParseExact(rfc3339[..19] + "Z", "yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        return seconds * 1_000_000_000L + long.Parse(rfc3339[20..29], CultureInfo.InvariantCulture);
    }

    [ClickHouseFact]
    public void Rows_hold_exactly_what_is_stored_with_the_nanoseconds_and_routes()
    {
        var server = clickhouse.Server;
        using var dir = new TempDir();
        using (var daemon = DaemonProcess.Start(dir.Path, Config(server.Url, "values_t", "create_table = true") + """

            [[pipelines]]
            name = "tag"
            match = { tenant = "t2" }
            [[pipelines.steps]]
            type = "route"
            routes = ["store", "alerts"]
            """))
        {
            Ingest(daemon, "t1", "first", 60);
            Ingest(daemon, "t2", "second", 15);
            // Before 1970: DateTime cannot hold it (time is clamped to its start), time_ns keeps it exactly.
            Ingest(daemon, DrainBodies.Body("t1", "early", 1).Replace("2024-05-31T15:30:00.000Z", "1969-12-31T23:59:58.250Z"));
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 76, "ch");
        }

        var stored = IngestdCli.ReadRecords(dir.Path);
        var rows = server.Rows("SELECT id, seq, toUInt32(time) AS seconds, time_ns, tenant, dialect, kind, service, level, stream, routes, event "
            + "FROM values_t FINAL ORDER BY seq");
        Assert.Equal(76, stored.Count);
        Assert.Equal(stored.Count, rows.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            var s = stored[i];
            var r = rows[i];
            long seq = s.GetProperty("seq").GetInt64();
            Assert.Equal($"node-a-{seq}", r.GetProperty("id").GetString());
            Assert.Equal(seq, r.GetProperty("seq").GetInt64());
            long ns = UnixNanos(s.GetProperty("time").GetString()!);
            Assert.Equal(ns, r.GetProperty("time_ns").GetInt64());
            Assert.Equal(Math.Max(0L, (long)Math.Floor(ns / 1e9)), r.GetProperty("seconds").GetInt64());
            foreach (string column in new[] { "tenant", "dialect", "kind", "service", "level" })
                Assert.Equal(s.GetProperty(column).GetString(), r.GetProperty(column).GetString());
            Assert.Equal(s.TryGetProperty("stream", out var stream) ? stream.GetString() : "", r.GetProperty("stream").GetString());
            var routes = s.TryGetProperty("routes", out var tags) ? tags.EnumerateArray().Select(t => t.GetString()).ToList() : [];
            Assert.Equal(routes, r.GetProperty("routes").EnumerateArray().Select(t => t.GetString()).ToList());
            // The event column holds the event's JSON text as stored.
            Assert.Equal(s.GetProperty("event").GetRawText(), r.GetProperty("event").GetString());
        }
        Assert.Equal(["store", "alerts"], rows.Single(r => r.GetProperty("event").GetString()!.Contains("second-3\"")).GetProperty("routes")
            .EnumerateArray().Select(t => t.GetString()));
        var early = rows.Single(r => r.GetProperty("event").GetString()!.Contains("early-0\""));
        Assert.Equal(-1_750_000_000L, early.GetProperty("time_ns").GetInt64());
        Assert.Equal(0, early.GetProperty("seconds").GetInt64());
    }

    [ClickHouseFact]
    public void A_redelivery_after_a_daemon_crash_collapses_into_one_row_per_event_id()
    {
        var server = clickhouse.Server;
        CreateTable(server, "redelivery_t");
        using var dir = new TempDir();
        string config = Config(server.Url, "redelivery_t");
        using (var daemon = DaemonProcess.Start(dir.Path, config))
        {
            Ingest(daemon, "acme", "crash", 80);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 80, "ch");
            daemon.Kill();
        }
        // As if the crash had come after ClickHouse stored the rows but before the cursor moved: all sent again.
        Assert.Equal(0, IngestdCli.Run("outputs", "reset", "ch", "--to-seq", "0", "--data-dir", dir.Path, "--config", dir.Path + ".conf").ExitCode);
        using (var daemon = DaemonProcess.Start(dir.Path, config))
        {
            Ingest(daemon, "acme", "after", 10);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 90, "ch");
        }

        Assert.Equal(90, server.Count("redelivery_t", final: true));
        server.Query("OPTIMIZE TABLE redelivery_t FINAL");
        Assert.Equal(90, server.Count("redelivery_t"));
        var ids = server.Rows("SELECT id FROM redelivery_t ORDER BY seq").Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(IngestdCli.ReadRecords(dir.Path).Select(r => $"node-a-{r.GetProperty("seq").GetInt64()}"), ids);
    }

    [ClickHouseFact]
    public void Nothing_is_lost_when_clickhouse_is_killed_mid_delivery_and_restarted()
    {
        // Its own server: this one is killed.
        using var chDir = new TempDir("ingestd-clickhouse");
        var server = ClickHouseServer.Start(chDir.Path);
        int port = server.HttpPort;
        try
        {
            CreateTable(server, "outage_t");
            using var dir = new TempDir();
            // Small batches: a backlog of a hundred INSERTs, so the kill falls among them.
            using var daemon = DaemonProcess.Start(dir.Path, Config(server.Url, "outage_t", maxEvents: 10));
            for (int i = 0; i < 4; i++) Ingest(daemon, "acme", $"before{i}", 250);
            HttpNdjsonOutputTests.WaitUntil(() => server.Count("outage_t") > 0);
            server.Kill();

            Ingest(daemon, "acme", "while-down", 50);
            HttpNdjsonOutputTests.WaitUntil(() => File.Exists(Path.Combine(dir.Path, "outputs", "ch.error")));
            server.Dispose();
            server = ClickHouseServer.Start(chDir.Path, port);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 1050, "ch");

            // Every event once after deduplication: the INSERT in flight at the kill may be there twice, never not at all.
            Assert.Equal(1050, server.Count("outage_t", final: true));
            var ids = server.Rows("SELECT DISTINCT id FROM outage_t").Select(r => r.GetProperty("id").GetString()!).ToHashSet();
            Assert.Equal(IngestdCli.ReadRecords(dir.Path).Select(r => $"node-a-{r.GetProperty("seq").GetInt64()}").ToHashSet(), ids);
            Assert.False(File.Exists(Path.Combine(dir.Path, "outputs", "ch.dead.ndjson")));
        }
        finally
        {
            server.Dispose();
        }
    }

    [ClickHouseFact]
    public void A_row_the_table_refuses_is_dead_lettered_with_clickhouses_reason_and_the_rest_delivered()
    {
        var server = clickhouse.Server;
        // The operator's own, stricter table: level is an enum that knows no "fatal".
        server.Query("CREATE TABLE strict_t (id String, seq UInt64, time DateTime, time_ns Int64, tenant String, "
            + "level Enum8('debug' = 1, 'info' = 2, 'warn' = 3, 'error' = 4), event String) "
            + "ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(time) ORDER BY id");
        using var dir = new TempDir();
        using (var daemon = DaemonProcess.Start(dir.Path, Config(server.Url, "strict_t")))
        {
            Ingest(daemon, "acme", "ok", 30);
            Ingest(daemon, "acme", "bad", 3, level: "fatal");
            Ingest(daemon, "acme", "ok2", 12);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 45, "ch");
        }

        Assert.Equal(42, server.Count("strict_t", final: true));
        Assert.Equal(0, server.Count("strict_t WHERE event LIKE '%\"bad-%'"));
        var dead = File.ReadAllLines(Path.Combine(dir.Path, "outputs", "ch.dead.ndjson")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(3, dead.Count);
        Assert.All(dead, d =>
        {
            Assert.Contains("Unknown element 'fatal'", d.GetProperty("reason").GetString());
            Assert.StartsWith("bad-", d.GetProperty("record").GetProperty("event").GetProperty("message").GetString());
        });
    }

    [ClickHouseFact]
    public void A_missing_table_is_retried_until_it_exists_and_nothing_is_dead_lettered()
    {
        var server = clickhouse.Server;
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.Path, Config(server.Url, "later_t"));
        Ingest(daemon, "acme", "early", 20);
        string error = Path.Combine(dir.Path, "outputs", "ch.error");
        HttpNdjsonOutputTests.WaitUntil(() => File.Exists(error));
        Assert.Contains("later_t doesn't exist", File.ReadAllText(error));

        CreateTable(server, "later_t");
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 20, "ch");
        Assert.Equal(20, server.Count("later_t", final: true));
        Assert.False(File.Exists(Path.Combine(dir.Path, "outputs", "ch.dead.ndjson")));
    }

    [ClickHouseTheory]
    [InlineData("headers")]
    [InlineData("basic")]
    public void User_and_password_reach_clickhouse(string auth)
    {
        var server = clickhouse.Server;
        string table = "auth_" + auth;
        CreateTable(server, table);
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.Path, Config(server.Url, table,
            $"user = \"writer\"\npassword = \"{ClickHouseServer.WriterPassword}\"\nauth = \"{auth}\""));
        Ingest(daemon, "acme", "auth", 5);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 5, "ch");
        Assert.Equal(5, server.Count(table, final: true));
    }

    [ClickHouseFact]
    public void Gzip_bodies_are_inserted_whole()
    {
        var server = clickhouse.Server;
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.Path, Config(server.Url, "gzip_t", "create_table = true\ngzip = true"));
        Ingest(daemon, "acme", "zip", 70);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 70, "ch");
        Assert.Equal(70, server.Count("gzip_t", final: true));
    }

    // What ClickHouse 18.16 answered to the INSERTs of this destination (tried against the Debian package).
    [Theory]
    [InlineData(500, "Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected , before: {\"id\":\"b-3\"}: (at row 2)", true)]
    [InlineData(400, "Code: 72, e.displayText() = DB::Exception: Unsigned type must not contain '-' symbol: (while read the value of key time_ns): (at row 2)", true)]
    [InlineData(500, "Code: 49, e.displayText() = DB::Exception: Unknown element 'weird' for type Enum8('info' = 1, 'error' = 2): (while read the value of key level), e.what() = DB::Exception", true)]
    [InlineData(500, "Code: 117, e.displayText() = DB::Exception: Unknown field found while parsing JSONEachRow format: bogus: (at row 1)", true)]
    [InlineData(404, "Code: 60, e.displayText() = DB::Exception: Table default.nosuch doesn't exist., e.what() = DB::Exception", false)]
    [InlineData(401, "Code: 193, e.displayText() = DB::Exception: Wrong password for user writer, e.what() = DB::Exception", false)]
    [InlineData(500, "Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded: (at row 9)", false)]
    [InlineData(500, "Code: 252, e.displayText() = DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts.", false)]
    [InlineData(400, "Code: 27. DB::Exception: Cannot parse input: expected '{' before: 'x': (at row 1)", true)]
    [InlineData(502, "Bad Gateway", false)]
    [InlineData(403, "Forbidden", false)]
    [InlineData(400, "Bad Request", true)]
    public void ClickHouse_answers_are_read_as_the_rows_fault_or_worth_a_retry(int status, string body, bool rowsFault)
    {
        var result = ClickHouseDestination.ReadRefusal(status, null, body, out _);
        Assert.Equal(rowsFault ? DeliveryStatus.Permanent : DeliveryStatus.Transient, result.Status);
        Assert.StartsWith($"ClickHouse HTTP {status}: ", result.Reason);
    }

    [Fact]
    public void The_exception_code_header_of_newer_servers_is_read_first()
    {
        Assert.Equal(DeliveryStatus.Transient, ClickHouseDestination.ReadRefusal(500, "241", "Code: 27. (at row 3)", out int code).Status);
        Assert.Equal(241, code);
    }

    [Theory]
    [InlineData("table = \"events; DROP TABLE x\"", "test.conf:5: outputs.table: expected a table name of letters, digits and '_' (optionally database.table), got \"events; DROP TABLE x\"")]
    [InlineData("table = \"a.b.c\"", "test.conf:5: outputs.table: expected a table name of letters, digits and '_' (optionally database.table), got \"a.b.c\"")]
    [InlineData("create_table = \"yes\"", "test.conf:5: outputs.create_table: expected true or false, got \"yes\"")]
    [InlineData("auth = \"digest\"", "test.conf:5: outputs.auth: expected one of headers, basic, got \"digest\"")]
    [InlineData("password = 42", "test.conf:5: outputs.password: expected a string, got an integer")]
    public void A_bad_clickhouse_key_is_a_config_error_naming_it(string line, string message)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"""
            [[outputs]]
            name = "ch"
            type = "clickhouse"
            url = "http://127.0.0.1:8123"
            {line}
            """, "test.conf"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ClickHouse_keys_on_another_destination_are_a_config_error_naming_the_key()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            [[outputs]]
            name = "x"
            type = "http_ndjson"
            url = "http://127.0.0.1:1/"
            create_table = true
            """, "test.conf"));
        Assert.Equal("test.conf:5: outputs.create_table: only for type clickhouse (output 'x' is http_ndjson)", e.Message);
    }

    [Fact]
    public void A_clickhouse_output_needs_an_http_url()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            [[outputs]]
            name = "ch"
            type = "clickhouse"
            url = "nats://127.0.0.1:4222"
            """, "test.conf"));
        Assert.Equal("test.conf:3: outputs.url: output 'ch' (clickhouse) needs an http(s):// URL", e.Message);
    }

    [Fact]
    public void A_clickhouse_output_is_read_with_its_keys_and_defaults()
    {
        var output = Assert.Single(ConfigLoader.Parse("""
            [[outputs]]
            name = "ch"
            type = "clickhouse"
            url = "http://127.0.0.1:8123"
            """, "test.conf").Outputs);
        Assert.Equal("ingestd_events", output.Table);
        Assert.False(output.CreateTable);
        Assert.Null(output.User);

        output = Assert.Single(ConfigLoader.Parse("""
            [[outputs]]
            name = "ch"
            type = "clickhouse"
            url = "http://127.0.0.1:8123"
            table = "logs.events"
            create_table = true
            user = "writer"
            password = "pw"
            auth = "basic"
            """, "test.conf").Outputs);
        Assert.Equal(("logs.events", true, "writer", "pw", true), (output.Table, output.CreateTable, output.User, output.Password, output.BasicAuth));
    }
}
