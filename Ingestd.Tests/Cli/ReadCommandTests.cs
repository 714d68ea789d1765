using System.Text;
using System.Text.Json;
using Ingestd.Cli;
using Ingestd.Parsing.Records;
using Ingestd.Storage;
using Ingestd.Tests.Storage;

namespace Ingestd.Tests.Cli;

public class ReadCommandTests
{
    private static void Write(SegmentLog log, RecordBatch batch)
    {
        log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);
        batch.Dispose();
    }

    /// <summary>Seq 0-1: org-a/api/info log astralog; 2-3: org-b/db/error event guardian; 4: org-a/db/warn metric air.</summary>
    private static TempDir MixedLog()
    {
        var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path);
        Write(log, Fixtures.Batch(2, 0, tenant: "org-a", service: "api", level: "info"));
        Write(log, Fixtures.Batch(2, 2, tenant: "org-b", service: "db", level: "error", dialect: Dialect.Guardian, kind: RecordKind.Event));
        Write(log, Fixtures.Batch(1, 4, tenant: "org-a", service: "db", level: "warn", dialect: Dialect.Air, kind: RecordKind.Metric));
        return dir;
    }

    private static (int Exit, List<JsonDocument> Lines, string Raw, string Errors) Read(ReadOptions options)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = ReadCommand.Run(options, stdout, stderr, CancellationToken.None);
        var raw = stdout.ToString();
        var lines = raw.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToList();
        return (exit, lines, raw, stderr.ToString());
    }

    private static long[] Seqs(List<JsonDocument> lines) => lines.Select(d => d.RootElement.GetProperty("seq").GetInt64()).ToArray();

    [Fact]
    public void Read_prints_one_ndjson_object_per_record_in_the_documented_shape()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path)) Fixtures.Append(log, 2, 0);

        var (exit, lines, raw, errors) = Read(new ReadOptions { DataDir = dir.Path });

        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.Equal(2, lines.Count);
        Assert.EndsWith("\n", raw);
        var root = lines[1].RootElement;
        Assert.Equal(
            ["seq", "received_at", "time", "tenant", "dialect", "kind", "level", "service", "timestamp", "event"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("seq").GetInt64());
        Assert.Equal("2026-11-25T12:00:00.123456789Z", root.GetProperty("received_at").GetString());
        Assert.Equal("2024-05-31T15:30:46.000000000Z", root.GetProperty("time").GetString());
        Assert.Equal("org-xyz", root.GetProperty("tenant").GetString());
        Assert.Equal("astralog", root.GetProperty("dialect").GetString());
        Assert.Equal("log", root.GetProperty("kind").GetString());
        Assert.Equal("info", root.GetProperty("level").GetString());
        Assert.Equal("api-gateway", root.GetProperty("service").GetString());
        Assert.Equal("2024-05-31 15:30:46", root.GetProperty("timestamp").GetString());
        Assert.Equal(Fixtures.Json(1), root.GetProperty("event").GetRawText());
        // The event bytes appear verbatim in the line, whitespace and escapes included.
        Assert.Contains("\"event\":" + Fixtures.Json(1) + "}", raw);
    }

    [Theory]
    [InlineData("tenant", "org-a", new long[] { 0, 1, 4 })]
    [InlineData("service", "db", new long[] { 2, 3, 4 })]
    [InlineData("level", "ERROR", new long[] { 2, 3 })]
    [InlineData("kind", "metric", new long[] { 4 })]
    [InlineData("dialect", "guardian", new long[] { 2, 3 })]
    [InlineData("tenant", "nobody", new long[0])]
    public void Read_filters_by_envelope_field(string field, string value, long[] expected)
    {
        using var dir = MixedLog();
        var options = new ReadOptions { DataDir = dir.Path };
        options = field switch
        {
            "tenant" => options with { Tenant = value },
            "service" => options with { Service = value },
            "level" => options with { Level = value },
            "kind" => options with { Kind = value },
            _ => options with { Dialect = value },
        };
        Assert.Equal(expected, Seqs(Read(options).Lines));
    }

    /// <summary>Seq 0: org-a stream s-1; 1: org-a stream s-2; 2: org-b stream s-1; 3: org-a, no stream (astralog).</summary>
    private static TempDir StreamsLog()
    {
        var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path);
        var batch = new RecordBatch();
        foreach (var (tenant, stream) in new[] { ("org-a", "s-1"), ("org-a", "s-2"), ("org-b", "s-1") })
            batch.Append(Fixtures.ReceivedNs, Fixtures.BaseEventNs, Dialect.Streams, RecordKind.Event, Encoding.UTF8.GetBytes(tenant), [],
                "app"u8, [], "{}"u8, Encoding.UTF8.GetBytes(stream));
        Write(log, batch);
        Write(log, Fixtures.Batch(1, 3, tenant: "org-a"));
        return dir;
    }

    [Fact]
    public void Read_prints_the_stream_after_the_tenant_on_records_that_have_one()
    {
        using var dir = StreamsLog();
        var lines = Read(new ReadOptions { DataDir = dir.Path }).Lines;
        var root = lines[1].RootElement;
        Assert.Equal(
            ["seq", "received_at", "time", "tenant", "stream", "dialect", "kind", "level", "service", "timestamp", "event"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("org-a", root.GetProperty("tenant").GetString());
        Assert.Equal("s-2", root.GetProperty("stream").GetString());
    }

    [Fact]
    public void Read_prints_no_stream_on_records_without_one()
    {
        using var dir = StreamsLog();
        Assert.False(Read(new ReadOptions { DataDir = dir.Path }).Lines[3].RootElement.TryGetProperty("stream", out _));
    }

    [Theory]
    [InlineData("s-1", null, new long[] { 0, 2 })]
    [InlineData("s-1", "org-a", new long[] { 0 })]
    [InlineData("s-2", null, new long[] { 1 })]
    [InlineData("nowhere", null, new long[0])]
    public void Read_filters_by_stream(string stream, string? tenant, long[] expected)
    {
        using var dir = StreamsLog();
        Assert.Equal(expected, Seqs(Read(new ReadOptions { DataDir = dir.Path, Stream = stream, Tenant = tenant }).Lines));
    }

    [Fact]
    public void Read_since_is_inclusive_and_until_exclusive_on_event_time()
    {
        using var dir = MixedLog();
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(Fixtures.BaseEventNs / 1_000_000);
        var options = new ReadOptions { DataDir = dir.Path, Since = t0.AddSeconds(1), Until = t0.AddSeconds(3) };
        Assert.Equal([1L, 2L], Seqs(Read(options).Lines));
    }

    [Fact]
    public void Read_filters_combine()
    {
        using var dir = MixedLog();
        var options = new ReadOptions { DataDir = dir.Path, Tenant = "org-a", Service = "db" };
        Assert.Equal([4L], Seqs(Read(options).Lines));
    }

    [Fact]
    public void Read_accepts_segment_files_as_paths()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100))
        {
            Fixtures.Append(log, 2, 0);
            Fixtures.Append(log, 2, 2);
        }
        var second = SegmentFormat.ListSegments(dir.Path)[1];
        Assert.Equal([2L, 3L], Seqs(Read(new ReadOptions { DataDir = "unused", Paths = [second] }).Lines));
    }

    [Fact]
    public void Read_of_a_live_directory_stops_at_the_block_being_written_and_exits_0()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            path = log.ActivePath;
        }
        using (var batch = Fixtures.Batch(2, 2))
        using (var codec = new BlockCodec())
            Fixtures.AppendBytes(path, codec.Encode(batch.Bytes, 2, 2, batch.MinEventNs, batch.MaxEventNs)[..(BlockCodec.HeaderSize + 5)]);

        var (exit, lines, _, errors) = Read(new ReadOptions { DataDir = dir.Path });

        Assert.Equal(0, exit);
        Assert.Equal([0L, 1L], Seqs(lines));
        Assert.DoesNotContain("skipped", errors);
    }

    [Fact]
    public void Read_of_a_missing_path_exits_1()
    {
        using var dir = new TempDir();
        var (exit, lines, _, errors) = Read(new ReadOptions { DataDir = dir.Path, Paths = [Path.Combine(dir.Path, "nope")] });
        Assert.Equal(1, exit);
        Assert.Empty(lines);
        Assert.Contains("no such file or directory", errors);
    }

    [Fact]
    public async Task Read_follow_prints_records_appended_after_it_started()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path);
        Fixtures.Append(log, 1, 0);
        var stdout = new LineWriter();
        using var cts = new CancellationTokenSource();
        var run = Task.Run(() => ReadCommand.Run(new ReadOptions { DataDir = dir.Path, Follow = true }, stdout, TextWriter.Null, cts.Token));

        Assert.True(SpinWait.SpinUntil(() => stdout.Lines.Count == 1, TimeSpan.FromSeconds(20)));
        Fixtures.Append(log, 2, 1);
        Assert.True(SpinWait.SpinUntil(() => stdout.Lines.Count == 3, TimeSpan.FromSeconds(20)));
        cts.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal([0L, 1L, 2L], stdout.Lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()));
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00.000000000Z")]
    [InlineData(1_795_608_000_123_456_789L, "2026-11-25T12:00:00.123456789Z")]
    [InlineData(-1L, "1969-12-31T23:59:59.999999999Z")]
    [InlineData(1_717_169_445_000_000_001L, "2024-05-31T15:30:45.000000001Z")]
    public void Times_are_formatted_as_utc_with_nine_fraction_digits(long ns, string expected)
    {
        Span<byte> dest = stackalloc byte[30];
        Assert.Equal(30, ReadCommand.FormatTime(ns, dest));
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(dest));
    }

    /// <summary>A TextWriter whose complete lines other threads can watch.</summary>
    private sealed class LineWriter : TextWriter
    {
        private readonly System.Text.StringBuilder _partial = new();
        private readonly List<string> _lines = [];

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public IReadOnlyList<string> Lines
        {
            get { lock (_lines) return _lines.ToList(); }
        }

        public override void Write(char value)
        {
            lock (_lines)
            {
                if (value != '\n') { _partial.Append(value); return; }
                _lines.Add(_partial.ToString());
                _partial.Clear();
            }
        }
    }
}
