using System.Text.Json;
using Ingestd.Parsing.Dialects.Guardian;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Dialects;

public class GuardianParserTests
{
    private const long Received = 1_717_000_000_000_000_000;

    // The data-format examples of seed 002, as documented.
    private const string SeedJsonl =
        """{"timestamp": "2025-10-08T12:00:00Z", "level": "info", "message": "User logged in", "userId": 123}""" + "\n" +
        """{"timestamp": "2025-10-08T12:00:01Z", "level": "warn", "message": "High memory usage", "memoryMB": 1024}""" + "\n" +
        """{"timestamp": "2025-10-08T12:00:02Z", "level": "error", "message": "API timeout", "endpoint": "/api/users"}""";

    private const string SeedText =
        "2025-10-08 12:00:00 INFO User logged in\n" +
        "2025-10-08 12:00:01 WARN High memory usage: 1024MB\n" +
        "2025-10-08 12:00:02 ERROR API timeout on /api/users";

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private sealed record Rec(long ReceivedNs, long EventNs, Dialect Dialect, RecordKind Kind, string Tenant, string Level,
        string Service, string TimestampText, string Json);

    private static List<Rec> Parse(string body, GuardianFormat format, string tenant = "t1") => Parse(U(body), format, tenant);

    private static List<Rec> Parse(byte[] body, GuardianFormat format, string tenant = "t1")
    {
        using var batch = new RecordBatch();
        int n = GuardianParser.Parse(body, format, Received, U(tenant), batch);
        var list = new List<Rec>();
        var bytes = batch.Bytes;
        while (!bytes.IsEmpty)
        {
            Assert.True(RecordView.TryRead(bytes, out var v, out int length));
            list.Add(new Rec(v.ReceivedNs, v.EventNs, v.Dialect, v.Kind, S(v.Tenant), S(v.Level), S(v.Service), S(v.TimestampText), S(v.Json)));
            bytes = bytes[length..];
        }
        Assert.Equal(n, list.Count);
        return list;
    }

    private static Rec One(string body, GuardianFormat format) => Assert.Single(Parse(body, format));

    private static RequestRejectedException Refused(string body, GuardianFormat format) => Refused(U(body), format);

    private static RequestRejectedException Refused(byte[] body, GuardianFormat format)
    {
        using var batch = new RecordBatch();
        return Assert.Throws<RequestRejectedException>(() => GuardianParser.Parse(body, format, Received, "t1"u8, batch));
    }

    private static long Ns(string timestamp)
    {
        Assert.True(TimestampParser.TryParse(U(timestamp), out long ns));
        return ns;
    }

    private static string MessageOf(string json)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.Single(doc.RootElement.EnumerateObject());
        return doc.RootElement.GetProperty("message").GetString()!;
    }

    // ---- seed examples ----

    [Fact]
    public void Seed_jsonl_example_becomes_three_log_records()
    {
        var records = Parse(SeedJsonl, GuardianFormat.Ndjson);
        var lines = SeedJsonl.Split('\n');
        Assert.Equal(3, records.Count);
        string[] levels = ["info", "warn", "error"];
        for (int i = 0; i < 3; i++)
        {
            var r = records[i];
            Assert.Equal(Received, r.ReceivedNs);
            Assert.Equal(Ns($"2025-10-08T12:00:0{i}Z"), r.EventNs);
            Assert.Equal($"2025-10-08T12:00:0{i}Z", r.TimestampText);
            Assert.Equal(Dialect.Guardian, r.Dialect);
            Assert.Equal(RecordKind.Log, r.Kind);
            Assert.Equal("t1", r.Tenant);
            Assert.Equal(levels[i], r.Level);
            Assert.Equal("", r.Service);
            Assert.Equal(lines[i], r.Json);
        }
    }

    [Fact]
    public void Seed_plain_text_example_parses_timestamps_and_levels()
    {
        var records = Parse(SeedText, GuardianFormat.Text);
        var lines = SeedText.Split('\n');
        Assert.Equal(3, records.Count);
        string[] levels = ["info", "warn", "error"];
        for (int i = 0; i < 3; i++)
        {
            var r = records[i];
            Assert.Equal(Ns($"2025-10-08 12:00:0{i}"), r.EventNs);
            Assert.Equal($"2025-10-08 12:00:0{i}", r.TimestampText);
            Assert.Equal(levels[i], r.Level);
            Assert.Equal(Dialect.Guardian, r.Dialect);
            Assert.Equal(RecordKind.Log, r.Kind);
            Assert.Equal("t1", r.Tenant);
            Assert.Equal("", r.Service);
            Assert.Equal("{\"message\":\"" + lines[i] + "\"}", r.Json);
        }
    }

    [Fact]
    public void Seed_idempotency_example_body_is_one_json_event()
    {
        var r = One("""{"message": "test log"}""", GuardianFormat.Json);
        Assert.Equal("""{"message": "test log"}""", r.Json);
        Assert.Equal(Received, r.EventNs);
        Assert.Equal("", r.TimestampText);
    }

    // ---- JSON ----

    [Fact]
    public void Json_object_is_one_event_kept_without_surrounding_whitespace()
    {
        const string obj = "{\n  \"level\": \"INFO\",\n  \"n\": [1, 2.5e3, null]\n}";
        var r = One(" \r\n" + obj + "\n", GuardianFormat.Json);
        Assert.Equal(obj, r.Json);
        Assert.Equal("info", r.Level);
    }

    [Fact]
    public void Json_array_gives_one_event_per_object_in_order()
    {
        var records = Parse("""[ {"message":"a"} , {"message":"b","x":{"y":[]}},{"message":"c"} ]""", GuardianFormat.Json);
        Assert.Equal(["""{"message":"a"}""", """{"message":"b","x":{"y":[]}}""", """{"message":"c"}"""], records.Select(r => r.Json));
    }

    [Fact]
    public void Json_empty_array_gives_no_events()
    {
        Assert.Empty(Parse("[]", GuardianFormat.Json));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"x\"")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Json_array_element_that_is_not_an_object_is_refused(string element)
    {
        var e = Refused("[{},{},{}," + element + ",{}]", GuardianFormat.Json);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("Invalid event at index 3: must be a JSON object", e.Detail);
        Assert.Equal(3, e.EventIndex);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void Json_root_that_is_neither_object_nor_array_is_refused(string body)
    {
        var e = Refused(body, GuardianFormat.Json);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("Body must be a JSON object or an array of JSON objects", e.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{")]
    [InlineData("{\"a\":1} x")]
    [InlineData("{}{}")]
    [InlineData("[{},]")]
    [InlineData("{'a':1}")]
    [InlineData("[1, x]")]
    public void Json_syntax_errors_are_refused_as_invalid_json(string body)
    {
        var e = Refused(body, GuardianFormat.Json);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Matches(@"^Invalid JSON at byte \d+: ", e.Detail);
        Assert.DoesNotContain("LineNumber", e.Detail);
    }

    [Fact]
    public void Json_syntax_error_names_the_byte_and_the_reader_message()
    {
        Assert.Equal("Invalid JSON at byte 8: 'x' is an invalid start of a value.", Refused("[{},\n{},x]", GuardianFormat.Json).Detail);
    }

    [Fact]
    public void Json_invalid_utf8_is_refused_as_invalid_json()
    {
        byte[] body = [.. U("{\"message\":\""), 0xFF, .. U("\"}")];
        var e = Refused(body, GuardianFormat.Json);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Equal("Invalid JSON at byte 12: invalid UTF-8", e.Detail);
    }

    // ---- NDJSON ----

    [Fact]
    public void Ndjson_crlf_line_endings_and_blank_lines_are_accepted()
    {
        var records = Parse("\r\n{\"a\":1}\r\n\r\n  \t\r\n{\"b\":2}  \r\n\r\n", GuardianFormat.Ndjson);
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], records.Select(r => r.Json));
    }

    [Fact]
    public void Ndjson_empty_body_gives_no_events()
    {
        Assert.Empty(Parse("\n\n", GuardianFormat.Ndjson));
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\":1} {\"b\":2}")]
    [InlineData("{\"a\":1},")]
    [InlineData("not json")]
    [InlineData("{\"a\":1}}")]
    public void Ndjson_line_that_is_not_json_is_refused_with_its_line_number(string line)
    {
        var e = Refused("{\"ok\":1}\n\n" + line + "\n{\"ok\":2}\n", GuardianFormat.Ndjson);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.StartsWith("Invalid JSON at line 3: ", e.Detail);
        Assert.DoesNotContain("LineNumber", e.Detail);
    }

    [Fact]
    public void Ndjson_invalid_json_detail_gives_the_reader_message()
    {
        Assert.Equal("Invalid JSON at line 2: 'x' is an invalid start of a value.", Refused("{}\n{\"a\":x}", GuardianFormat.Ndjson).Detail);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Ndjson_line_that_is_not_an_object_is_refused(string line)
    {
        var e = Refused("{}\r\n\r\n" + line + "\r\n{}", GuardianFormat.Ndjson);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("Line 3 must be a JSON object", e.Detail);
    }

    [Fact]
    public void Ndjson_invalid_utf8_names_its_line()
    {
        byte[] body = [.. U("{}\n\n{\"m\":\""), 0xC3, 0x28, .. U("\"}")];
        var e = Refused(body, GuardianFormat.Ndjson);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Equal("Invalid JSON at line 3: invalid UTF-8", e.Detail);
    }

    [Fact]
    public void Ndjson_warm_parse_allocates_nothing()
    {
        var body = U(SeedJsonl + "\n" + """{"@timestamp":"2025-10-08T12:00:03\u005A","severity":"W\u0041RN","service":"api\/v2","message":"x"}""" + "\r\n");
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++) // warm up: JIT, pool, buffer growth
        {
            GuardianParser.Parse(body, GuardianFormat.Ndjson, Received, "t1"u8, batch);
            GuardianParser.Parse(body, GuardianFormat.Auto, Received, "t1"u8, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = GuardianParser.Parse(body, GuardianFormat.Ndjson, Received, "t1"u8, batch);
        n += GuardianParser.Parse(body, GuardianFormat.Auto, Received, "t1"u8, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(8, n);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Text_warm_parse_allocates_nothing()
    {
        var body = U(SeedText + "\r\nline with \"quotes\" and \t tab\n");
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++)
        {
            GuardianParser.Parse(body, GuardianFormat.Text, Received, "t1"u8, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = GuardianParser.Parse(body, GuardianFormat.Text, Received, "t1"u8, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(4, n);
        Assert.Equal(0, allocated);
    }

    // ---- envelope of JSON events ----

    [Theory]
    [InlineData("""{"time":1728388800123,"msg":"pino"}""", "1728388800123", 1_728_388_800_123_000_000)]
    [InlineData("""{"timestamp":1728388800.5,"short_message":"gelf"}""", "1728388800.5", 1_728_388_800_500_000_000)]
    [InlineData("""{"ts":1728388800123456}""", "1728388800123456", 1_728_388_800_123_456_000)]
    [InlineData("""{"timestamp":1728388800123456789}""", "1728388800123456789", 1_728_388_800_123_456_789)]
    [InlineData("""{"ts":"2025-10-08T15:00:00Z","time":1728388800}""", "1728388800", 1_728_388_800_000_000_000)]
    public void Numeric_timestamp_is_epoch_time_in_the_unit_its_magnitude_implies(string body, string text, long expected)
    {
        var r = One(body, GuardianFormat.Json);
        Assert.Equal(text, r.TimestampText);
        Assert.Equal(expected, r.EventNs);
    }

    [Fact]
    public void Numeric_timestamp_out_of_range_keeps_its_text_and_takes_the_receive_time()
    {
        var r = One("""{"time":1e300}""", GuardianFormat.Json);
        Assert.Equal("1e300", r.TimestampText);
        Assert.Equal(Received, r.EventNs);
    }

    [Theory]
    [InlineData("""{"level":30}""", "info")]
    [InlineData("""{"level":10}""", "trace")]
    [InlineData("""{"level":60}""", "fatal")]
    [InlineData("""{"level":3,"short_message":"gelf"}""", "error")]
    [InlineData("""{"level":7}""", "debug")]
    [InlineData("""{"severity":4}""", "warn")]
    [InlineData("""{"severity":30}""", "30")]
    [InlineData("""{"level":35}""", "35")]
    [InlineData("""{"severity":"ERROR","level":40}""", "warn")]
    public void Numeric_level_is_named_pino_or_syslog_under_level_and_syslog_under_severity(string body, string expected)
        => Assert.Equal(expected, One(body, GuardianFormat.Json).Level);

    // ---- pino-http-send's {"logs":[…]} ----

    [Fact]
    public void Logs_wrapper_object_is_split_into_its_events()
    {
        var records = Parse("""{"logs":[{"level":30,"time":1728388800123,"msg":"a"},{"level":50,"time":1728388800456,"msg":"b"}]}""", GuardianFormat.Json);
        Assert.Equal(2, records.Count);
        Assert.Equal("""{"level":30,"time":1728388800123,"msg":"a"}""", records[0].Json);
        Assert.Equal("info", records[0].Level);
        Assert.Equal(1_728_388_800_123_000_000, records[0].EventNs);
        Assert.Equal("""{"level":50,"time":1728388800456,"msg":"b"}""", records[1].Json);
        Assert.Equal("error", records[1].Level);
        Assert.Equal(1_728_388_800_456_000_000, records[1].EventNs);
    }

    [Fact]
    public void Logs_wrapper_with_an_empty_array_gives_no_events()
        => Assert.Empty(Parse("""{"logs":[]}""", GuardianFormat.Json));

    [Theory]
    [InlineData("""{"logs":[{"msg":"a"}],"host":"h"}""")]
    [InlineData("""{"host":"h","logs":[{"msg":"a"}]}""")]
    [InlineData("""{"logs":[{"msg":"a"},"b"]}""")]
    [InlineData("""{"logs":{"msg":"a"}}""")]
    public void Object_that_is_not_only_a_logs_array_of_objects_stays_one_event(string body)
        => Assert.Equal(body, One(body, GuardianFormat.Json).Json);

    [Fact]
    public void Invalid_json_inside_a_logs_wrapper_is_refused_at_its_byte()
    {
        var e = Refused("""{"logs":[{"msg":"a"},{"msg":}]}""", GuardianFormat.Json);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.StartsWith("Invalid JSON at byte 28: ", e.Detail);
    }

    [Fact]
    public void Logs_wrapper_with_numeric_envelope_warm_parse_allocates_nothing()
    {
        var body = U("""{"logs":[{"level":30,"time":1728388800123,"msg":"a"},{"level":3,"severity":6,"timestamp":1728388800.5,"msg":"b"}]}""");
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++)
        {
            GuardianParser.Parse(body, GuardianFormat.Json, Received, "t1"u8, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = GuardianParser.Parse(body, GuardianFormat.Json, Received, "t1"u8, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, n);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("""{"timestamp":"2025-10-08T12:00:00Z","@timestamp":"2025-10-08T13:00:00Z","time":"2025-10-08T14:00:00Z","ts":"2025-10-08T15:00:00Z"}""", "2025-10-08T12:00:00Z")]
    [InlineData("""{"ts":"2025-10-08T15:00:00Z","time":"2025-10-08T14:00:00Z","@timestamp":"2025-10-08T13:00:00Z"}""", "2025-10-08T13:00:00Z")]
    [InlineData("""{"ts":"2025-10-08T15:00:00Z","time":"2025-10-08T14:00:00Z"}""", "2025-10-08T14:00:00Z")]
    [InlineData("""{"ts":"2025-10-08T15:00:00Z"}""", "2025-10-08T15:00:00Z")]
    [InlineData("""{"timestamp":true,"ts":"2025-10-08T15:00:00Z"}""", "2025-10-08T15:00:00Z")]
    [InlineData("""{"timestamp":"2025-10-08 12:00:00.5+02:00"}""", "2025-10-08 12:00:00.5+02:00")]
    public void Timestamp_is_taken_from_the_first_of_timestamp_atTimestamp_time_ts(string body, string expected)
    {
        var r = One(body, GuardianFormat.Json);
        Assert.Equal(expected, r.TimestampText);
        Assert.Equal(Ns(expected), r.EventNs);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2025-02-30T00:00:00Z")]
    [InlineData("")]
    public void Unparseable_timestamp_keeps_its_text_and_takes_the_receive_time(string timestamp)
    {
        var r = One("{\"timestamp\":\"" + timestamp + "\",\"ts\":\"2025-10-08T15:00:00Z\"}", GuardianFormat.Json);
        Assert.Equal(timestamp, r.TimestampText);
        Assert.Equal(Received, r.EventNs);
    }

    [Fact]
    public void Escaped_timestamp_is_parsed_after_unescaping_and_kept_raw()
    {
        var r = One("""{"time":"2025-10-08T12:00:00\u005A"}""", GuardianFormat.Json);
        Assert.Equal("2025-10-08T12:00:00\\u005A", r.TimestampText);
        Assert.Equal(Ns("2025-10-08T12:00:00Z"), r.EventNs);
    }

    [Theory]
    [InlineData("""{"level":"INFO","severity":"error"}""", "info")]
    [InlineData("""{"severity":"Error","level":"Warn"}""", "warn")]
    [InlineData("""{"severity":"ERROR"}""", "error")]
    [InlineData("""{"level":true,"severity":"debug"}""", "debug")]
    [InlineData("""{"level":"W\u0041RN"}""", "warn")]
    [InlineData("""{"level":"Érreur"}""", "Érreur")]
    [InlineData("""{"level":null}""", "")]
    public void Level_is_taken_from_level_or_severity_and_lower_cased(string body, string expected)
    {
        Assert.Equal(expected, One(body, GuardianFormat.Json).Level);
    }

    [Fact]
    public void Level_longer_than_64_bytes_is_ignored()
    {
        Assert.Equal("", One("{\"level\":\"" + new string('l', 65) + "\"}", GuardianFormat.Json).Level);
        Assert.Equal("warn", One("{\"level\":\"" + new string('l', 65) + "\",\"severity\":\"warn\"}", GuardianFormat.Json).Level);
        Assert.Equal(new string('l', 64), One("{\"level\":\"" + new string('L', 64) + "\"}", GuardianFormat.Json).Level);
    }

    [Theory]
    [InlineData("""{"app":"c","source":"b","service":"a"}""", "a")]
    [InlineData("""{"app":"c","source":"b"}""", "b")]
    [InlineData("""{"app":"c"}""", "c")]
    [InlineData("""{"service":{"name":"x"},"app":"c"}""", "c")]
    [InlineData("""{"service":"api\/v2\u002Dé"}""", "api/v2-é")]
    [InlineData("""{"message":"m"}""", "")]
    public void Service_is_taken_from_service_source_or_app(string body, string expected)
    {
        Assert.Equal(expected, One(body, GuardianFormat.Json).Service);
    }

    [Fact]
    public void Service_longer_than_1024_bytes_is_ignored()
    {
        string tooLong = new('s', 1025);
        Assert.Equal("b", One("{\"service\":\"" + tooLong + "\",\"source\":\"b\"}", GuardianFormat.Json).Service);
        string escapedTooLong = string.Concat(Enumerable.Repeat("\\u0073", 1025));
        Assert.Equal("b", One("{\"source\":\"b\",\"service\":\"" + escapedTooLong + "\"}", GuardianFormat.Json).Service);
        Assert.Equal(new string('s', 1024), One("{\"service\":\"" + new string('s', 1024) + "\"}", GuardianFormat.Json).Service);
    }

    [Fact]
    public void Escaped_envelope_fields_do_not_overwrite_each_other()
    {
        var r = One("""{"app":"\u0061pp","source":"\u0073rc","level":"\u0049NFO","severity":"\u0045RR"}""", GuardianFormat.Json);
        Assert.Equal("src", r.Service);
        Assert.Equal("info", r.Level);
    }

    [Fact]
    public void Lone_surrogate_escape_in_an_envelope_field_is_ignored()
    {
        var r = One("""{"service":"\uD800","source":"s","level":"\uDC00x"}""", GuardianFormat.Json);
        Assert.Equal("s", r.Service);
        Assert.Equal("", r.Level);
    }

    [Fact]
    public void Escaped_member_names_are_recognised()
    {
        var r = One("""{"\u006Cevel":"INFO","\u0073ervice":"s"}""", GuardianFormat.Json);
        Assert.Equal("info", r.Level);
        Assert.Equal("s", r.Service);
    }

    [Fact]
    public void Envelope_names_in_nested_objects_are_not_read()
    {
        var r = One("""{"data":{"level":"error","service":"x","timestamp":"2025-10-08"}}""", GuardianFormat.Json);
        Assert.Equal("", r.Level);
        Assert.Equal("", r.Service);
        Assert.Equal("", r.TimestampText);
    }

    [Fact]
    public void Tenant_is_stored_as_given_even_when_empty()
    {
        Assert.Equal("org-xyz", Assert.Single(Parse("{}", GuardianFormat.Json, tenant: "org-xyz")).Tenant);
        Assert.Equal("", Assert.Single(Parse("{}", GuardianFormat.Json, tenant: "")).Tenant);
    }

    // ---- plain text ----

    [Theory]
    [InlineData("2025-10-08T12:00:00Z INFO started", "2025-10-08T12:00:00Z", "info")]
    [InlineData("2025-10-08T12:00:00.123456+02:00 [WARNING] disk", "2025-10-08T12:00:00.123456+02:00", "warn")]
    [InlineData("2025-10-08 12:00:00,5 err: boom", "2025-10-08 12:00:00,5", "error")]
    [InlineData("2025-10-08 12:00:00.250Z critical meltdown", "2025-10-08 12:00:00.250Z", "fatal")]
    [InlineData("2025-10-08 [Debug] x", "2025-10-08", "debug")]
    [InlineData("2025-10-08 12:00 NOTICE: y", "2025-10-08 12:00", "notice")]
    [InlineData("2025-10-08T12:00:00Z Trace", "2025-10-08T12:00:00Z", "trace")]
    [InlineData("2025-10-08T12:00:00Z FATAL", "2025-10-08T12:00:00Z", "fatal")]
    [InlineData("2025-10-08 12:00:00 informational text", "2025-10-08 12:00:00", "")]
    [InlineData("2025-10-08 12:00:00 INFO-ish", "2025-10-08 12:00:00", "")]
    [InlineData("2025-10-08 12:00:00", "2025-10-08 12:00:00", "")]
    public void Text_line_timestamp_and_level_are_parsed(string line, string timestamp, string level)
    {
        var r = One(line, GuardianFormat.Text);
        Assert.Equal(timestamp, r.TimestampText);
        Assert.Equal(Ns(timestamp), r.EventNs);
        Assert.Equal(level, r.Level);
        Assert.Equal(line, MessageOf(r.Json));
    }

    [Theory]
    [InlineData("User logged in", "")]
    [InlineData("ERROR: something failed", "error")]
    [InlineData("[warn] low disk", "warn")]
    [InlineData("12:00:00 INFO no date", "")]
    [InlineData("20251008 plain number", "")]
    [InlineData("  indented", "")]
    public void Text_line_without_a_timestamp_takes_the_receive_time(string line, string level)
    {
        var r = One(line, GuardianFormat.Text);
        Assert.Equal("", r.TimestampText);
        Assert.Equal(Received, r.EventNs);
        Assert.Equal(level, r.Level);
        Assert.Equal(line, MessageOf(r.Json));
    }

    [Fact]
    public void Text_crlf_line_endings_and_blank_lines_are_accepted()
    {
        var records = Parse("\r\nfirst line\r\n\r\n \t \r\nsecond line  \r\n", GuardianFormat.Text);
        Assert.Equal(["first line", "second line  "], records.Select(r => MessageOf(r.Json)));
    }

    [Fact]
    public void Text_quotes_backslashes_and_control_characters_are_escaped()
    {
        var r = One("say \"hi\" C:\\dir\ttab\u0001\u001b\rend é😀", GuardianFormat.Text);
        Assert.Equal("{\"message\":\"say \\\"hi\\\" C:\\\\dir\\u0009tab\\u0001\\u001B\\u000Dend é😀\"}", r.Json);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("\"quoted\" \\ back\\slash \\\" both")]
    [InlineData("\u0000\u0001\u0002\u0008\u000B\u000C\u000E\u001F\u007F")]
    [InlineData("{\"looks\":\"like json\"}")]
    [InlineData("日本語 \u2028 \u2029 😀")]
    public void Text_message_unescapes_to_the_original_line(string line)
    {
        var r = One(line, GuardianFormat.Text);
        Assert.Equal(line, MessageOf(r.Json));
    }

    [Fact]
    public void Text_invalid_utf8_is_refused()
    {
        byte[] body = [.. U("ok\nbad "), 0xC0, 0xAF, .. U("\n")];
        var e = Refused(body, GuardianFormat.Text);
        Assert.Equal("Body is not valid UTF-8 text", e.Detail);
        Assert.Equal("Body is not valid UTF-8 text", Refused(body, GuardianFormat.Auto).Detail);
    }

    [Fact]
    public void Text_long_line_is_one_event()
    {
        string line = new('x', 200_000);
        Assert.Equal(line, MessageOf(One(line, GuardianFormat.Text).Json));
    }

    // ---- octet-stream detection ----

    [Fact]
    public void Auto_reads_objects_on_every_line_as_ndjson()
    {
        var records = Parse(SeedJsonl.Replace("\n", "\r\n\r\n"), GuardianFormat.Auto);
        Assert.Equal(SeedJsonl.Split('\n'), records.Select(r => r.Json));
        Assert.Equal(["info", "warn", "error"], records.Select(r => r.Level));
    }

    [Fact]
    public void Auto_reads_plain_lines_as_text()
    {
        var records = Parse(SeedText, GuardianFormat.Auto);
        Assert.Equal(SeedText.Split('\n'), records.Select(r => MessageOf(r.Json)));
        Assert.Equal(["info", "warn", "error"], records.Select(r => r.Level));
    }

    [Theory]
    [InlineData("{\"a\":1}\nplain text line")]
    [InlineData("{\"a\":1}\n{not json}")]
    [InlineData("{\"a\":1}\n{\"b\":2} trailing")]
    [InlineData("{\"a\":1}\n{\"b\":")]
    public void Auto_reads_a_body_with_any_non_object_line_as_text(string body)
    {
        var records = Parse(body, GuardianFormat.Auto);
        Assert.Equal(body.Split('\n'), records.Select(r => MessageOf(r.Json)));
    }

    [Fact]
    public void Auto_empty_body_gives_no_events()
    {
        Assert.Empty(Parse("", GuardianFormat.Auto));
    }

    // ---- Content-Type ----

    [Theory]
    [InlineData("application/json", "Json")]
    [InlineData("Application/JSON; charset=utf-8", "Json")]
    [InlineData(" application/json ;charset=UTF-8 ", "Json")]
    [InlineData("application/x-ndjson", "Ndjson")]
    [InlineData("application/jsonl", "Ndjson")]
    [InlineData("application/x-jsonlines", "Ndjson")]
    [InlineData("application/jsonlines; charset=utf-8", "Ndjson")]
    [InlineData("APPLICATION/X-NDJSON", "Ndjson")]
    [InlineData("text/plain", "Text")]
    [InlineData("text/plain; charset=utf-8", "Text")]
    [InlineData("application/octet-stream", "Auto")]
    [InlineData("", "Auto")]
    [InlineData("  ", "Auto")]
    [InlineData("application/x-www-form-urlencoded", "Auto")]
    public void Content_type_selects_the_format(string header, string expected)
    {
        Assert.Equal(Enum.Parse<GuardianFormat>(expected), GuardianContentType.Parse(U(header)));
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html; charset=utf-8")]
    [InlineData("application/jsonx")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("json")]
    public void Other_content_types_are_refused_with_415(string header)
    {
        var e = Assert.Throws<RequestRejectedException>(() => GuardianContentType.Parse(U(header)));
        Assert.Equal(RejectReason.UnsupportedMediaType, e.Reason);
        Assert.Equal(415, Rejection.StatusCode(e.Reason));
        Assert.Equal($"Unsupported Content-Type: {header}. Use application/json, application/x-ndjson, application/jsonl, text/plain or application/octet-stream", e.Detail);
    }
}
