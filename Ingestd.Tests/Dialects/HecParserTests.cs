using System.Buffers;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Splunk;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.Dialects;

public class HecParserTests
{
    private const long Received = 1_717_000_000_000_000_000;

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private sealed record Rec(long EventNs, Dialect Dialect, RecordKind Kind, string Tenant, string Level, string Service, string TimestampText, string Json);

    private static List<Rec> Records(RecordBatch batch)
    {
        var list = new List<Rec>();
        var bytes = batch.Bytes;
        while (!bytes.IsEmpty)
        {
            Assert.True(RecordView.TryRead(bytes, out var v, out int length));
            list.Add(new Rec(v.EventNs, v.Dialect, v.Kind, S(v.Tenant), S(v.Level), S(v.Service), S(v.TimestampText), S(v.Json)));
            bytes = bytes[length..];
        }
        return list;
    }

    private static List<Rec> Events(string body, HecDefaults? defaults = null)
    {
        using var batch = new RecordBatch();
        int n = HecEventParser.Parse(U(body), Received, "t1"u8, defaults ?? HecDefaults.None, batch);
        var records = Records(batch);
        Assert.Equal(n, records.Count);
        return records;
    }

    private static List<Rec> Raw(string body, HecDefaults? defaults = null, bool lineBreaking = true)
    {
        using var batch = new RecordBatch();
        int n = HecRawParser.Parse(U(body), Received, "t1"u8, defaults ?? HecDefaults.None, batch, lineBreaking);
        var records = Records(batch);
        Assert.Equal(n, records.Count);
        return records;
    }

    private static HecException EventError(string body)
    {
        using var batch = new RecordBatch();
        return Assert.Throws<HecException>(() => HecEventParser.Parse(U(body), Received, "t1"u8, HecDefaults.None, batch));
    }

    private static long Seconds(double s) => (long)Math.Round(s * 1e9);

    // ---- the Splunk documentation's examples ----

    [Fact]
    public void Single_event_with_metadata_is_stored_verbatim()
    {
        const string body = """{"time": 1426279439, "host": "localhost", "source": "random-data-generator", "sourcetype": "my_sample_data", "index": "main", "event": "Hello world!"}""";
        var r = Assert.Single(Events(body));
        Assert.Equal(body, r.Json);
        Assert.Equal(Dialect.Splunk, r.Dialect);
        Assert.Equal(RecordKind.Log, r.Kind);
        Assert.Equal("t1", r.Tenant);
        Assert.Equal("my_sample_data", r.Service);
        Assert.Equal(1_426_279_439_000_000_000, r.EventNs);
        Assert.Equal("1426279439", r.TimestampText);
    }

    [Fact]
    public void Batched_events_separated_by_whitespace_are_each_stored()
    {
        var records = Events("{\"event\": \"Pony 1 has left the barn\"}\n{\"event\": \"Pony 2 has left the barn\"}  {\"event\": \"Pony 3 has left the barn\", \"nested\": {\"key1\": \"value1\"}}\r\n");
        Assert.Equal(3, records.Count);
        Assert.Equal("{\"event\": \"Pony 2 has left the barn\"}", records[1].Json);
        Assert.All(records, r => Assert.Equal(Received, r.EventNs));
    }

    [Fact]
    public void Batched_events_without_whitespace_between_them_are_each_stored()
    {
        var records = Events("{\"event\":\"a\"}{\"event\":{\"b\":1}}{\"event\":3}");
        Assert.Equal(["{\"event\":\"a\"}", "{\"event\":{\"b\":1}}", "{\"event\":3}"], records.Select(r => r.Json));
    }

    [Theory]
    [InlineData("1426279439", 1426279439.0)]
    [InlineData("1426279439.123", 1426279439.123)]
    [InlineData("\"1426279439.123\"", 1426279439.123)]
    [InlineData("\"1426279439\"", 1426279439.0)]
    [InlineData("1.426279439123E9", 1426279439.123)]
    [InlineData("1426279439.123456789123", 1426279439.123456789)]
    public void Time_is_epoch_seconds_as_number_or_string(string time, double seconds)
    {
        var r = Assert.Single(Events($"{{\"time\":{time},\"event\":\"x\"}}"));
        Assert.InRange(r.EventNs, Seconds(seconds) - 1000, Seconds(seconds) + 1000);
        Assert.Equal(time.Trim('"'), r.TimestampText);
    }

    [Theory]
    [InlineData("1426279439123", 1_426_279_439_123_000_000)]
    [InlineData("\"1426279439123\"", 1_426_279_439_123_000_000)]
    public void Time_in_milliseconds_is_read_by_its_magnitude(string time, long expected)
        => Assert.Equal(expected, Assert.Single(Events($"{{\"time\":{time},\"event\":\"x\"}}")).EventNs);

    [Fact]
    public void Fields_object_is_accepted_and_kept_in_the_json()
    {
        const string body = """{"event":"Hello","fields":{"device":"macbook","users":["joe","bob"],"n":1}}""";
        Assert.Equal(body, Assert.Single(Events(body)).Json);
    }

    // ---- envelope ----

    [Theory]
    [InlineData("""{"event":"x","sourcetype":"st","source":"src"}""", "st")]
    [InlineData("""{"event":"x","source":"src"}""", "src")]
    [InlineData("""{"event":"x"}""", "default-st")]
    public void Service_is_sourcetype_then_source_then_the_defaults(string body, string expected)
        => Assert.Equal(expected, Assert.Single(Events(body, new HecDefaults("h", "default-src", "default-st", null))).Service);

    [Theory]
    [InlineData("""{"event":{"level":"ERROR","severity":"low"}}""", "error")]
    [InlineData("""{"event":{"severity":"Warning"}}""", "warning")]
    [InlineData("""{"event":{"message":"m","nested":{"level":"info"}}}""", "")]
    [InlineData("""{"event":"level=info"}""", "")]
    [InlineData("""{"event":{"level":3}}""", "error")]
    [InlineData("""{"event":{"level":30,"msg":"pino"}}""", "info")]
    [InlineData("""{"event":{"severity":4}}""", "warn")]
    [InlineData("""{"event":{"level":true}}""", "")]
    public void Level_comes_from_an_object_events_level_or_severity(string body, string expected)
        => Assert.Equal(expected, Assert.Single(Events(body)).Level);

    // ---- errors, with the number of the event at fault ----

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n ")]
    public void Empty_body_is_code_5_no_data(string body)
    {
        var e = EventError(body);
        Assert.Equal((5, "No data", 400, (int?)null), (e.Code, e.Text, e.HttpStatus, e.InvalidEventNumber));
    }

    [Theory]
    [InlineData("{\"event\":\"a\"}{\"event\":", 1)]
    [InlineData("{\"event\":\"a\"} not json", 1)]
    [InlineData("\"just a string\"", 0)]
    [InlineData("{\"event\":\"a\"}\n[{\"event\":\"b\"}]", 1)]
    [InlineData("{\"event\":\"a\"}{\"event\":\"b\"}{\"event\":\"c\",\"time\":\"yesterday\"}", 2)]
    [InlineData("{\"event\":\"a\",\"time\":{}}", 0)]
    [InlineData("{\"event\":\"a\",\"host\":1}", 0)]
    [InlineData("{\"event\":\"a\",\"sourcetype\":[\"x\"]}", 0)]
    public void Invalid_data_is_code_6_with_the_event_number(string body, int eventNumber)
    {
        var e = EventError(body);
        Assert.Equal((6, "Invalid data format", 400, (int?)eventNumber), (e.Code, e.Text, e.HttpStatus, e.InvalidEventNumber));
    }

    [Fact]
    public void Invalid_utf8_is_code_6_with_the_event_number()
    {
        var body = U("{\"event\":\"a\"}{\"event\":\"").Concat(new byte[] { 0xFF }).Concat(U("\"}")).ToArray();
        using var batch = new RecordBatch();
        var e = Assert.Throws<HecException>(() => HecEventParser.Parse(body, Received, "t1"u8, HecDefaults.None, batch));
        Assert.Equal((6, (int?)1), (e.Code, e.InvalidEventNumber));
    }

    [Theory]
    [InlineData("{\"event\":\"a\"}{\"host\":\"h\"}", 1)]
    [InlineData("{\"event\":null}", 0)]
    public void Missing_event_is_code_12_with_the_event_number(string body, int eventNumber)
    {
        var e = EventError(body);
        Assert.Equal((12, "Event field is required", 400, (int?)eventNumber), (e.Code, e.Text, e.HttpStatus, e.InvalidEventNumber));
    }

    [Fact]
    public void Blank_event_is_code_13_with_the_event_number()
    {
        var e = EventError("{\"event\":\"a\"} {\"event\":\"b\"} {\"event\":\"\"}");
        Assert.Equal((13, "Event field cannot be blank", 400, (int?)2), (e.Code, e.Text, e.HttpStatus, e.InvalidEventNumber));
    }

    [Theory]
    [InlineData("{\"event\":\"a\",\"fields\":\"x\"}")]
    [InlineData("{\"event\":\"a\",\"fields\":{\"k\":{\"nested\":1}}}")]
    [InlineData("{\"event\":\"a\",\"fields\":{\"k\":[{\"nested\":1}]}}")]
    public void Bad_indexed_fields_are_code_15(string body)
        => Assert.Equal((15, (int?)0), (EventError(body).Code, EventError(body).InvalidEventNumber));

    // ---- responses ----

    [Fact]
    public void Error_body_has_text_code_and_invalid_event_number()
    {
        var output = new ArrayBufferWriter<byte>();
        HecResponses.Write(output, HecException.EventFieldBlank(3));
        Assert.Equal("{\"text\":\"Event field cannot be blank\",\"code\":13,\"invalid-event-number\":3}", S(output.WrittenSpan));
    }

    [Fact]
    public void Error_body_without_an_event_number_has_none()
    {
        var output = new ArrayBufferWriter<byte>();
        HecResponses.Write(output, HecException.NoData());
        Assert.Equal("{\"text\":\"No data\",\"code\":5}", S(output.WrittenSpan));
    }

    [Fact]
    public void Fixed_bodies_are_splunks()
    {
        Assert.Equal("{\"text\":\"Success\",\"code\":0}", S(HecResponses.Success));
        Assert.Equal("{\"text\":\"HEC is healthy\",\"code\":17}", S(HecResponses.Healthy));
    }

    // ---- raw endpoint ----

    [Fact]
    public void Raw_stores_one_event_per_non_blank_line_with_the_defaults()
    {
        var records = Raw("line one\r\n\nline two\n", new HecDefaults("web01", "syslog", "linux:syslog", "main"));
        Assert.Equal(2, records.Count);
        Assert.Equal("{\"event\":\"line one\",\"host\":\"web01\",\"source\":\"syslog\",\"sourcetype\":\"linux:syslog\"}", records[0].Json);
        Assert.Equal("{\"event\":\"line two\",\"host\":\"web01\",\"source\":\"syslog\",\"sourcetype\":\"linux:syslog\"}", records[1].Json);
        Assert.All(records, r =>
        {
            Assert.Equal("linux:syslog", r.Service);
            Assert.Equal(Received, r.EventNs);
            Assert.Equal(Dialect.Splunk, r.Dialect);
            Assert.Equal("", r.TimestampText);
        });
    }

    [Fact]
    public void Raw_without_defaults_has_only_the_event()
        => Assert.Equal("{\"event\":\"hello\"}", Assert.Single(Raw("hello")).Json);

    [Theory]
    [InlineData("say \"hi\"", "say \"hi\"")]
    [InlineData("back\\slash\ttab", "back\\slash\ttab")]
    [InlineData("bell\u0007 ünïcødé ✓", "bell\u0007 ünïcødé ✓")]
    public void Raw_lines_are_json_escaped(string line, string expected)
    {
        var json = Assert.Single(Raw(line, new HecDefaults("h\"1", null, null, null))).Json;
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(expected, doc.RootElement.GetProperty("event").GetString());
        Assert.Equal("h\"1", doc.RootElement.GetProperty("host").GetString());
    }

    [Fact]
    public void Raw_without_line_breaking_is_one_event()
    {
        var r = Assert.Single(Raw("first\nsecond\n", lineBreaking: false));
        using var doc = JsonDocument.Parse(r.Json);
        Assert.Equal("first\nsecond", doc.RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public void Raw_empty_body_is_code_5()
    {
        using var batch = new RecordBatch();
        Assert.Equal(5, Assert.Throws<HecException>(() => HecRawParser.Parse(U("\n\n"), Received, "t1"u8, HecDefaults.None, batch)).Code);
    }

    [Fact]
    public void Raw_invalid_utf8_is_code_6()
    {
        using var batch = new RecordBatch();
        Assert.Equal(6, Assert.Throws<HecException>(() => HecRawParser.Parse([0x61, 0xFF, 0x0A], Received, "t1"u8, HecDefaults.None, batch)).Code);
    }

    // ---- allocation ----

    [Fact]
    public void Warm_event_parse_allocates_nothing()
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            sb.Append("{\"time\":").Append(1426279439 + i).Append(".123,\"host\":\"h\",\"source\":\"s\\/x\",\"sourcetype\":\"st\",\"index\":\"main\",")
              .Append("\"event\":{\"level\":\"INFO\",\"message\":\"hello \\\"world\\\"\"},\"fields\":{\"a\":\"b\",\"c\":[1,2]}}");
            if (i % 2 == 0) sb.Append('\n');
        }
        var body = U(sb.ToString());
        var defaults = new HecDefaults("dh", "ds", "dst", null);
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++)
        {
            HecEventParser.Parse(body, Received, "t1"u8, defaults, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = HecEventParser.Parse(body, Received, "t1"u8, defaults, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(200, n);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Warm_parse_of_numeric_levels_and_millisecond_times_allocates_nothing()
    {
        var body = U(string.Concat(Enumerable.Range(0, 100).Select(i =>
            $"{{\"time\":{1426279439123 + i},\"event\":{{\"level\":{10 * (i % 6 + 1)},\"msg\":\"m{i}\"}}}}")));
        var defaults = new HecDefaults("dh", "ds", "dst", null);
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++)
        {
            HecEventParser.Parse(body, Received, "t1"u8, defaults, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = HecEventParser.Parse(body, Received, "t1"u8, defaults, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100, n);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Warm_raw_parse_allocates_nothing()
    {
        var body = U(string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i} with \"quotes\"\n")));
        var defaults = new HecDefaults("dh", "ds", "dst", null);
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++)
        {
            HecRawParser.Parse(body, Received, "t1"u8, defaults, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = HecRawParser.Parse(body, Received, "t1"u8, defaults, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100, n);
        Assert.Equal(0, allocated);
    }
}
