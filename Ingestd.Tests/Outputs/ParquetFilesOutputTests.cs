using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Outputs;

/// <summary>
/// The <c>parquet_files</c> output of a real daemon, read back by another engine (DuckDB) over the Hive layout:
/// what it queries is what `ingestd read` prints, partitioned by tenant and event hour, once per event, whatever
/// happens to the daemon or the disk meanwhile.
/// </summary>
public class ParquetFilesOutputTests
{
    private static string Config(string path, string batch = "max_events = 50, max_wait = \"50ms\"", string extra = "") => $$"""
        [server]
        node_id = "node-a"

        [[outputs]]
        name = "lake"
        type = "parquet_files"
        path = "{{path}}"
        retry_max_backoff = "300ms"
        batch = { {{batch}} }
        {{extra}}
        """;

    /// <summary>A /v1/drain body of <paramref name="count"/> events at <paramref name="hour"/> (2024-05-31, UTC), ns fractions.</summary>
    private static string Body(string tenant, string tag, int count, int hour)
    {
        var sb = new StringBuilder("{\"events\":[");
        for (int i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append("{\"project_id\":\"").Append(tenant).Append("\",\"timestamp\":\"2024-05-31T")
                .Append(CultureInfo.InvariantCulture, $"{hour:00}:{i % 60:00}:07.123456789Z")
                .Append("\",\"level\":\"warn\",\"service\":\"svc-").Append(tenant).Append("\",\"message\":\"").Append(tag).Append('-').Append(i)
                .Append("\",\"n\":").Append(i).Append(",\"nested\":{\"q\":\"caf\\u00e9 \\\"x\\\"\",\"list\":[1,2.5,null]}}");
        }
        return sb.Append("]}").ToString();
    }

    private static void Ingest(DaemonProcess daemon, string tenant, string tag, int count, int hour)
    {
        var reply = RawHttp.Once(daemon.Port, "POST", "/v1/drain", Body(tenant, tag, count, hour), ("Content-Type", "application/json"));
        Assert.Equal(202, reply.Status);
    }

    private static string Glob(string path) => Path.Combine(path, "**", "*.parquet");

    private static List<object?[]> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private static string From(string path) => $"read_parquet('{Glob(path)}', hive_partitioning = true)";

    private static long Scalar(string sql) => Convert.ToInt64(Query(sql)[0][0], CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 with nine fraction digits (as `ingestd read` prints) to Unix microseconds, floored.</summary>
    private static long Micros(string rfc3339)
    {
        var seconds = DateTime.ParseExact(rfc3339[..19], "yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        long fractionNs = long.Parse(rfc3339[20..29], CultureInfo.InvariantCulture);
        return (seconds - DateTime.UnixEpoch).Ticks / 10 + fractionNs / 1000;
    }

    [Fact]
    public void Every_value_DuckDB_reads_is_what_ingestd_read_prints()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        using var daemon = DaemonProcess.Start(dir.Path, Config(lake.Path));
        Ingest(daemon, "t1", "a", 70, hour: 15);
        Ingest(daemon, "t2", "b", 30, hour: 16);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 100, "lake");

        var stored = IngestdCli.ReadRecords(dir.Path);
        Assert.Equal(100, stored.Count);
        var rows = Query($"""
            SELECT id, seq, epoch_us(time), tenant, dialect, kind, service, level, stream, routes, event
            FROM {From(lake.Path)} ORDER BY seq
            """);
        Assert.Equal(stored.Count, rows.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            var r = stored[i];
            var row = rows[i];
            long seq = r.GetProperty("seq").GetInt64();
            Assert.Equal($"node-a-{seq}", row[0]);
            Assert.Equal(seq, Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
            Assert.Equal(Micros(r.GetProperty("time").GetString()!), Convert.ToInt64(row[2], CultureInfo.InvariantCulture));
            Assert.Equal(r.GetProperty("tenant").GetString(), row[3]);
            Assert.Equal(r.GetProperty("dialect").GetString(), row[4]);
            Assert.Equal(r.GetProperty("kind").GetString(), row[5]);
            Assert.Equal(r.GetProperty("service").GetString(), row[6]);
            Assert.Equal(r.GetProperty("level").GetString(), row[7]);
            Assert.Null(row[8]); // no stream in this dialect
            Assert.Null(row[9]); // no route tags: the default route
            Assert.Equal(r.GetProperty("event").GetRawText(), row[10]);
        }
        // The event time is kept to the microsecond (ns in the store: floored).
        Assert.Equal(Micros("2024-05-31T15:00:07.123456789Z"), Convert.ToInt64(rows[0][2], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Parts_are_partitioned_by_tenant_and_the_hour_of_each_events_own_time_one_part_per_partition_and_batch()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        // One batch for everything: 4 partitions, so 4 parts.
        using var daemon = DaemonProcess.Start(dir.Path, Config(lake.Path, "max_events = 1000, max_wait = \"2s\""));
        var body = "{\"events\":[" + string.Join(",",
            Body("t1", "x", 10, 15)[11..^2], Body("t1", "y", 20, 16)[11..^2], Body("t2", "z", 5, 15)[11..^2], Body("t2", "w", 7, 23)[11..^2]) + "]}";
        Assert.Equal(202, RawHttp.Once(daemon.Port, "POST", "/v1/drain", body, ("Content-Type", "application/json")).Status);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 42, "lake");

        var counts = Query($"""
            SELECT tenant, CAST(date AS VARCHAR), hour, count(*), min(seq), max(seq)
            FROM {From(lake.Path)} GROUP BY ALL ORDER BY tenant, hour
            """).Select(r => string.Join(" ", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))).ToList();
        Assert.Equal(["t1 2024-05-31 15 10 0 9", "t1 2024-05-31 16 20 10 29", "t2 2024-05-31 15 5 30 34", "t2 2024-05-31 23 7 35 41"], counts);

        var parts = Directory.GetFiles(lake.Path, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(lake.Path, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([
            "tenant=t1/date=2024-05-31/hour=15/part-node-a-0-9.parquet",
            "tenant=t1/date=2024-05-31/hour=16/part-node-a-10-29.parquet",
            "tenant=t2/date=2024-05-31/hour=15/part-node-a-30-34.parquet",
            "tenant=t2/date=2024-05-31/hour=23/part-node-a-35-41.parquet",
        ], parts);
    }

    [Fact]
    public void The_Hive_partition_columns_select_in_WHERE()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        using var daemon = DaemonProcess.Start(dir.Path, Config(lake.Path));
        Ingest(daemon, "t1", "a", 12, hour: 9);
        Ingest(daemon, "t1", "b", 8, hour: 10);
        Ingest(daemon, "t2", "c", 5, hour: 10);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 25, "lake");

        Assert.Equal(8, Scalar($"SELECT count(*) FROM {From(lake.Path)} WHERE tenant = 't1' AND date = DATE '2024-05-31' AND hour = 10"));
        Assert.Equal(13, Scalar($"SELECT count(*) FROM {From(lake.Path)} WHERE hour = 10"));
        Assert.Equal(20, Scalar($"SELECT count(*) FROM {From(lake.Path)} WHERE tenant = 't1'"));
        Assert.Equal(0, Scalar($"SELECT count(*) FROM {From(lake.Path)} WHERE date = DATE '2024-06-01'"));
        // The event JSON is a string DuckDB's JSON functions read.
        Assert.Equal("b-3", Query($"SELECT event->>'message' FROM {From(lake.Path)} WHERE hour = 10 AND tenant = 't1' AND (event->>'n')::INT = 3")[0][0]);
    }

    [Fact]
    public void Route_tags_are_a_list_column_as_read_prints_them()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        using var daemon = DaemonProcess.Start(dir.Path, Config(lake.Path, extra: """

            [[pipelines]]
            name = "tag"
            match = { tenant = "tagged" }
            [[pipelines.steps]]
            type = "route"
            routes = ["store", "alerts"]
            """));
        Ingest(daemon, "tagged", "r", 4, hour: 1);
        Ingest(daemon, "plain", "p", 3, hour: 1);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 7, "lake");

        var stored = IngestdCli.ReadRecords(dir.Path);
        var rows = Query($"SELECT seq, to_json(routes)::VARCHAR FROM {From(lake.Path)} ORDER BY seq");
        Assert.Equal(7, rows.Count);
        for (int i = 0; i < 7; i++)
        {
            string? expected = stored[i].TryGetProperty("routes", out var routes) ? routes.GetRawText() : null;
            Assert.Equal(expected, rows[i][1]);
        }
        Assert.Equal("""["store","alerts"]""", rows[0][1]);
        Assert.Null(rows[6][1]);
    }

    [Fact]
    public void A_replay_of_everything_cut_into_other_batches_adds_no_duplicate()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        using (var daemon = DaemonProcess.Start(dir.Path, Config(lake.Path, "max_events = 7, max_wait = \"20ms\"")))
        {
            for (int i = 0; i < 4; i++) Ingest(daemon, "t" + (i % 2), "r" + i, 25, hour: 10 + i % 3);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 100, "lake");
            Assert.Equal(0, daemon.Terminate());
        }
        // As after a crash that lost the cursor: everything again, in batches cut elsewhere.
        var reset = IngestdCli.Run("outputs", "reset", "lake", "--to-seq", "0", "--data-dir", dir.Path, "--config", dir.Path + ".conf");
        Assert.True(reset.ExitCode == 0, reset.Stdout + reset.Stderr);
        using (var daemon = DaemonProcess.Start(dir.Path, Config(lake.Path, "max_events = 30, max_wait = \"20ms\"")))
        {
            Ingest(daemon, "t1", "after", 10, hour: 12);
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 110, "lake");
            // Logged before the cursor moved, but the daemon's output is read here on its own thread: a moment later.
            daemon.WaitForOutput("already in");
        }
        Assert.Equal(110, Scalar($"SELECT count(*) FROM {From(lake.Path)}"));
        Assert.Equal(110, Scalar($"SELECT count(DISTINCT id) FROM {From(lake.Path)}"));
    }

    [Fact]
    public void The_parts_of_a_closed_hour_are_merged_into_one_and_the_small_ones_deleted()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        using var daemon = DaemonProcess.Start(dir.Path, Config(lake.Path, "max_events = 10, max_wait = \"20ms\""));
        Ingest(daemon, "t1", "old", 45, hour: 7);   // 2024: long closed
        Ingest(daemon, "t2", "other", 5, hour: 7);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 50, "lake");
        string hourDir = Path.Combine(lake.Path, "tenant=t1", "date=2024-05-31", "hour=07");

        // A pass runs with a delivery, at most every 10 s: keep delivering (in the current, open hour) until it has.
        int hourNow = DateTime.UtcNow.Hour;
        string now = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (int i = 0; i < 90 && Directory.GetFiles(hourDir, "*.parquet").Length > 1; i++)
        {
            var reply = RawHttp.Once(daemon.Port, "POST", "/v1/drain", Body("tick", "tick", 1, hourNow).Replace("2024-05-31", now), ("Content-Type", "application/json"));
            Assert.Equal(202, reply.Status);
            Thread.Sleep(1000);
        }
        Assert.Equal("part-node-a-0-44.parquet", Path.GetFileName(Assert.Single(Directory.GetFiles(hourDir))));
        // Logged once the small parts are gone and the directory fsynced: it may come a moment after the files show it.
        const string merged = @"merged \d+ parts of \S*tenant=t1\S*hour=07 into part-node-a-0-44.parquet";
        HttpNdjsonOutputTests.WaitUntil(() => System.Text.RegularExpressions.Regex.IsMatch(daemon.Output, merged));
        Assert.Equal(45, Scalar($"SELECT count(DISTINCT id) FROM {From(lake.Path)} WHERE tenant = 't1'"));
        Assert.Equal(45, Scalar($"SELECT count(*) FROM {From(lake.Path)} WHERE tenant = 't1'"));
        // The merged rows are the rows that were written: same values, in sequence order.
        var stored = IngestdCli.ReadRecords(dir.Path, "--tenant", "t1");
        var rows = Query($"SELECT id, epoch_us(time), event FROM read_parquet('{Path.Combine(hourDir, "*.parquet")}')");
        Assert.Equal(stored.Select(r => "node-a-" + r.GetProperty("seq").GetInt64()), rows.Select(r => (string)r[0]!));
        Assert.Equal(stored.Select(r => Micros(r.GetProperty("time").GetString()!)), rows.Select(r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture)));
        Assert.Equal(stored.Select(r => r.GetProperty("event").GetRawText()), rows.Select(r => (string)r[2]!));
        // The open hour is left alone.
        Assert.True(Directory.GetFiles(Path.Combine(lake.Path, "tenant=tick"), "*.parquet", SearchOption.AllDirectories).Length >= 1);
    }

    [Fact]
    public void A_killed_daemon_leaves_no_duplicate_and_no_torn_or_temp_file_DuckDB_can_see()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        var config = Config(lake.Path, "max_events = 20, max_wait = \"10ms\"");
        for (int round = 0; round < 3; round++)
        {
            long before = HttpNdjsonOutputTests.ReadCursor(Path.Combine(dir.Path, "outputs", "lake.cursor"));
            using var daemon = DaemonProcess.Start(dir.Path, config);
            for (int i = 0; i < 6; i++) Ingest(daemon, "t" + (i % 3), $"k{round}-{i}", 50, hour: i % 4);
            // Killed while parts are being written: the first ones are on disk, the rest is not.
            HttpNdjsonOutputTests.WaitUntil(() => HttpNdjsonOutputTests.ReadCursor(Path.Combine(dir.Path, "outputs", "lake.cursor")) > before + 20);
            daemon.Kill();
        }
        using (var daemon = DaemonProcess.Start(dir.Path, config))
            HttpNdjsonOutputTests.WaitForCursor(dir.Path, 900, "lake");

        Assert.Equal(900, Scalar($"SELECT count(*) FROM {From(lake.Path)}"));
        Assert.Equal(900, Scalar($"SELECT count(DISTINCT id) FROM {From(lake.Path)}"));
        var stored = IngestdCli.ReadRecords(dir.Path).Select(r => "node-a-" + r.GetProperty("seq").GetInt64()).Order(StringComparer.Ordinal);
        var ids = Query($"SELECT id FROM {From(lake.Path)} ORDER BY id").Select(r => (string)r[0]!);
        Assert.Equal(stored, ids);
        // A temp file a kill left behind is not named *.parquet (and starts with '.', which Hive readers skip).
        Assert.All(Directory.GetFiles(lake.Path, "*", SearchOption.AllDirectories),
            f => Assert.True(f.EndsWith(".parquet", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith('.'), f));
    }

    [Fact]
    public void An_unwritable_directory_is_retried_until_it_can_be_written_without_loss()
    {
        using var dir = new TempDir();
        using var lake = new TempDir("ingestd-lake");
        // A file where the directory should be: even root cannot create the tree under it.
        string blocked = Path.Combine(lake.Path, "blocked");
        File.WriteAllText(blocked, "not a directory");
        string path = Path.Combine(blocked, "lake");
        using var daemon = DaemonProcess.Start(dir.Path, Config(path));
        Ingest(daemon, "t", "w", 30, hour: 5);
        HttpNdjsonOutputTests.WaitUntil(() => File.Exists(Path.Combine(dir.Path, "outputs", "lake.error")));
        Assert.Contains("ingestd_output_retries_total{output=\"lake\"}", HttpNdjsonOutputTests.Metrics(daemon));
        Ingest(daemon, "t", "w2", 20, hour: 5);

        File.Delete(blocked);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 50, "lake");
        Assert.Equal(50, Scalar($"SELECT count(DISTINCT id) FROM {From(path)}"));
        Assert.Equal(50, Scalar($"SELECT count(*) FROM {From(path)}"));
    }

    [TmpfsFact]
    public void A_full_disk_is_retried_until_there_is_room_without_loss()
    {
        using var dir = new TempDir();
        using var mount = new TempDir("ingestd-lake-tmpfs");
        using var fs = Tmpfs.Mount(mount.Path, "size=512k");
        string path = Path.Combine(fs.Path, "lake");
        using var daemon = DaemonProcess.Start(dir.Path, Config(path));
        Ingest(daemon, "t", "before", 10, hour: 3);
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 10, "lake");

        fs.Fill();
        Ingest(daemon, "t", "full", 40, hour: 3);
        Ingest(daemon, "u", "full", 40, hour: 4);
        HttpNdjsonOutputTests.WaitUntil(() => File.Exists(Path.Combine(dir.Path, "outputs", "lake.error")));
        Assert.Contains("ingestd_output_retries_total{output=\"lake\"}", HttpNdjsonOutputTests.Metrics(daemon));
        Assert.Equal(10, HttpNdjsonOutputTests.ReadCursor(Path.Combine(dir.Path, "outputs", "lake.cursor")));

        fs.Free();
        HttpNdjsonOutputTests.WaitForCursor(dir.Path, 90, "lake");
        Assert.Equal(90, Scalar($"SELECT count(*) FROM {From(path)}"));
        Assert.Equal(90, Scalar($"SELECT count(DISTINCT id) FROM {From(path)}"));
        // A temp file whose write failed was removed, not left to fill the disk again.
        Assert.Empty(Directory.GetFiles(path, "*.tmp", SearchOption.AllDirectories));
    }
}
