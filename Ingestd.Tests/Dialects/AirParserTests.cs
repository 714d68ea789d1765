using Ingestd.Parsing.Dialects.Air;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Dialects;

public class AirParserTests
{
    private const long Received = 1_717_000_000_000_000_000;
    private const string Tenant = "agent-7";
    private const string Ts = "2025-01-15T10:30:00Z";

    private const string ValidMessage = """{"timestamp":"2025-01-15T10:30:00Z","message":"deploy now","attributes":{"topic":"ops"}}""";
    private const string ValidEvent = """{"timestamp":"2025-01-15T10:30:00Z","name":"workflow_started","attributes":{"id":1}}""";
    private const string ValidLog = """{"timestamp":"2025-01-15T10:30:00Z","level":"warn","message":"disk 91%"}""";
    private const string ValidMetric = """{"timestamp":"2025-01-15T10:30:00Z","name":"http_request_duration_ms","value":12.5,"tags":{"route":"/x"}}""";
    private const string ValidTrace = """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t1","span_id":"s2","parent_span_id":"s1","name":"GET /users","duration_ms":3.2,"status":"ok"}""";

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private static string Body(params string[] entries) => "{\"entries\":[" + string.Join(",", entries) + "]}";

    private sealed record Rec(long ReceivedNs, long EventNs, Dialect Dialect, RecordKind Kind, string Tenant, string Level,
        string Service, string TimestampText, string Json);

    private static List<Rec> Records(RecordBatch batch)
    {
        var list = new List<Rec>();
        var bytes = batch.Bytes;
        while (!bytes.IsEmpty)
        {
            Assert.True(RecordView.TryRead(bytes, out var view, out int length));
            list.Add(new Rec(view.ReceivedNs, view.EventNs, view.Dialect, view.Kind, S(view.Tenant), S(view.Level),
                S(view.Service), S(view.TimestampText), S(view.Json)));
            bytes = bytes[length..];
        }
        return list;
    }

    private static (int Accepted, List<Rec> Records, List<AirRejection> Rejected) Parse(AirEntryType type, string body)
    {
        using var batch = new RecordBatch();
        var rejected = new List<AirRejection>();
        int accepted = AirParser.Parse(U(body), type, Received, U(Tenant), batch, rejected);
        var records = Records(batch);
        Assert.Equal(accepted, records.Count);
        return (accepted, records, rejected);
    }

    private static RequestRejectedException Refused(string body, AirEntryType type = AirEntryType.Logs)
    {
        using var batch = new RecordBatch();
        return Assert.Throws<RequestRejectedException>(() => AirParser.Parse(U(body), type, Received, U(Tenant), batch, []));
    }

    private static long Ns(string timestamp)
    {
        Assert.True(TimestampParser.TryParse(U(timestamp), out long ns));
        return ns;
    }

    // ---- entry types ----

    [Theory]
    [InlineData("messages", "Messages")]
    [InlineData("events", "Events")]
    [InlineData("logs", "Logs")]
    [InlineData("metrics", "Metrics")]
    [InlineData("traces", "Traces")]
    public void Entry_type_names_map_to_their_type(string segment, string expected)
    {
        Assert.True(AirEntryTypes.TryParse(U(segment), out var type));
        Assert.Equal(expected, type.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Logs")]
    [InlineData("log")]
    [InlineData("logs/")]
    [InlineData("spans")]
    public void Other_path_segments_are_not_entry_types(string segment)
    {
        Assert.False(AirEntryTypes.TryParse(U(segment), out _));
    }

    // ---- one valid entry per type ----

    [Fact]
    public void Message_entry_becomes_a_message_record()
    {
        var (accepted, records, rejected) = Parse(AirEntryType.Messages, Body(ValidMessage));
        Assert.Equal(1, accepted);
        Assert.Empty(rejected);
        var r = Assert.Single(records);
        Assert.Equal(Received, r.ReceivedNs);
        Assert.Equal(Ns(Ts), r.EventNs);
        Assert.Equal(Dialect.Air, r.Dialect);
        Assert.Equal(RecordKind.Message, r.Kind);
        Assert.Equal(Tenant, r.Tenant);
        Assert.Equal("", r.Level);
        Assert.Equal("", r.Service);
        Assert.Equal(Ts, r.TimestampText);
        Assert.Equal(ValidMessage, r.Json);
    }

    [Fact]
    public void Event_entry_becomes_an_event_record_named_as_its_service()
    {
        var r = Assert.Single(Parse(AirEntryType.Events, Body(ValidEvent)).Records);
        Assert.Equal(RecordKind.Event, r.Kind);
        Assert.Equal("workflow_started", r.Service);
        Assert.Equal(ValidEvent, r.Json);
    }

    [Fact]
    public void Log_entry_becomes_a_log_record_with_its_level()
    {
        var r = Assert.Single(Parse(AirEntryType.Logs, Body(ValidLog)).Records);
        Assert.Equal(RecordKind.Log, r.Kind);
        Assert.Equal("warn", r.Level);
        Assert.Equal("", r.Service);
        Assert.Equal(ValidLog, r.Json);
    }

    [Fact]
    public void Log_entry_without_level_has_an_empty_level()
    {
        var r = Assert.Single(Parse(AirEntryType.Logs, Body("""{"timestamp":"2025-01-15T10:30:00Z","message":""}""")).Records);
        Assert.Equal("", r.Level);
    }

    [Fact]
    public void Metric_entry_becomes_a_metric_record_named_as_its_service()
    {
        var r = Assert.Single(Parse(AirEntryType.Metrics, Body(ValidMetric)).Records);
        Assert.Equal(RecordKind.Metric, r.Kind);
        Assert.Equal("http_request_duration_ms", r.Service);
        Assert.Equal(ValidMetric, r.Json);
    }

    [Fact]
    public void Trace_entry_becomes_a_trace_record_named_as_its_service()
    {
        var r = Assert.Single(Parse(AirEntryType.Traces, Body(ValidTrace)).Records);
        Assert.Equal(RecordKind.Trace, r.Kind);
        Assert.Equal("GET /users", r.Service);
        Assert.Equal(ValidTrace, r.Json);
    }

    // ---- accepted shapes ----

    [Fact]
    public void Timestamp_with_offset_is_normalised_and_kept_as_sent()
    {
        var r = Assert.Single(Parse(AirEntryType.Messages, Body("""{"timestamp":"2025-01-15T12:30:00.25+02:00","message":"m"}""")).Records);
        Assert.Equal(Ns("2025-01-15T10:30:00.25Z"), r.EventNs);
        Assert.Equal("2025-01-15T12:30:00.25+02:00", r.TimestampText);
    }

    [Fact]
    public void Escaped_name_is_unescaped_in_the_envelope_and_kept_raw_in_the_json()
    {
        const string entry = """{"timestamp":"2025-01-15T10:30:00Z","\u006eame":"job\u002Ddone"}""";
        var r = Assert.Single(Parse(AirEntryType.Events, Body(entry)).Records);
        Assert.Equal("job-done", r.Service);
        Assert.Equal(entry, r.Json);
    }

    [Fact]
    public void Unknown_members_are_kept_and_other_top_level_members_ignored()
    {
        const string entry = """{"timestamp":"2025-01-15T10:30:00Z","message":"m","agent":{"id":[1,2]},"seq":9}""";
        var (accepted, records, _) = Parse(AirEntryType.Messages, """{"meta":{"x":[1]},"entries":[""" + entry + """],"v":2}""");
        Assert.Equal(1, accepted);
        Assert.Equal(entry, records[0].Json);
    }

    [Fact]
    public void Null_optional_members_count_as_absent()
    {
        const string entry = """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","span_id":"s","parent_span_id":null,"name":"n","duration_ms":0,"status":null,"attributes":null}""";
        Assert.Equal(1, Parse(AirEntryType.Traces, Body(entry)).Accepted);
    }

    [Fact]
    public void Empty_entries_array_accepts_nothing()
    {
        var (accepted, records, rejected) = Parse(AirEntryType.Logs, """{"entries":[]}""");
        Assert.Equal(0, accepted);
        Assert.Empty(records);
        Assert.Empty(rejected);
    }

    [Fact]
    public void Thousand_entries_are_accepted()
    {
        var (accepted, _, rejected) = Parse(AirEntryType.Logs, Body(Enumerable.Repeat(ValidLog, 1000).ToArray()));
        Assert.Equal(1000, accepted);
        Assert.Empty(rejected);
    }

    // ---- per-entry rejections ----

    public static TheoryData<string, string, string> EntryErrors => new()
    {
        // entry type (path segment), bad entry, reason
        { "messages", """{"message":"m"}""", "timestamp: required" },
        { "messages", """{"timestamp":1736937000,"message":"m"}""", "timestamp: must be a string" },
        { "messages", """{"timestamp":"yesterday","message":"m"}""", "timestamp: must be an ISO 8601 timestamp" },
        { "messages", """{"timestamp":"2025-02-30T00:00:00Z","message":"m"}""", "timestamp: must be an ISO 8601 timestamp" },
        { "messages", """{"timestamp":"2025-01-15T10:30:00Z"}""", "message: required" },
        { "messages", """{"timestamp":"2025-01-15T10:30:00Z","message":null}""", "message: must be a string" },
        { "messages", """{"timestamp":"2025-01-15T10:30:00Z","message":"m","attributes":[1]}""", "attributes: must be an object" },
        { "events", """{"timestamp":"2025-01-15T10:30:00Z"}""", "name: required" },
        { "events", """{"timestamp":"2025-01-15T10:30:00Z","name":""}""", "name: must be a non-empty string" },
        { "events", """{"timestamp":"2025-01-15T10:30:00Z","name":7}""", "name: must be a string" },
        { "events", """{"timestamp":"2025-01-15T10:30:00Z","name":"n","attributes":"x"}""", "attributes: must be an object" },
        { "events", $$"""{"timestamp":"2025-01-15T10:30:00Z","name":"{{new string('n', 1025)}}"}""", "name: must be at most 1024 bytes" },
        { "logs", """{"timestamp":"2025-01-15T10:30:00Z","level":"info"}""", "message: required" },
        { "logs", """{"timestamp":"2025-01-15T10:30:00Z","level":"verbose","message":"m"}""", "level: must be one of debug, info, warn, error, fatal" },
        { "logs", """{"timestamp":"2025-01-15T10:30:00Z","level":"INFO","message":"m"}""", "level: must be one of debug, info, warn, error, fatal" },
        { "logs", """{"timestamp":"2025-01-15T10:30:00Z","level":3,"message":"m"}""", "level: must be one of debug, info, warn, error, fatal" },
        { "metrics", """{"timestamp":"2025-01-15T10:30:00Z","value":1}""", "name: required" },
        { "metrics", """{"timestamp":"2025-01-15T10:30:00Z","name":"n"}""", "value: required" },
        { "metrics", """{"timestamp":"2025-01-15T10:30:00Z","name":"n","value":"1"}""", "value: must be a number" },
        { "metrics", """{"timestamp":"2025-01-15T10:30:00Z","name":"n","value":1e400}""", "value: must be a finite number" },
        { "metrics", """{"timestamp":"2025-01-15T10:30:00Z","name":"n","value":1,"tags":["a"]}""", "tags: must be an object" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","span_id":"s","name":"n","duration_ms":1}""", "trace_id: required" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"","span_id":"s","name":"n","duration_ms":1}""", "trace_id: must be a non-empty string" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","name":"n","duration_ms":1}""", "span_id: required" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","span_id":"s","parent_span_id":5,"name":"n","duration_ms":1}""", "parent_span_id: must be a string" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","span_id":"s","duration_ms":1}""", "name: required" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","span_id":"s","name":"n"}""", "duration_ms: required" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","span_id":"s","name":"n","duration_ms":-0.5}""", "duration_ms: must not be negative" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","span_id":"s","name":"n","duration_ms":"3"}""", "duration_ms: must be a number" },
        { "traces", """{"timestamp":"2025-01-15T10:30:00Z","trace_id":"t","span_id":"s","name":"n","duration_ms":1,"status":"failed"}""", "status: must be one of ok, error" },
    };

    private static string ValidOf(AirEntryType type) => type switch
    {
        AirEntryType.Messages => ValidMessage,
        AirEntryType.Events => ValidEvent,
        AirEntryType.Logs => ValidLog,
        AirEntryType.Metrics => ValidMetric,
        _ => ValidTrace,
    };

    [Theory]
    [MemberData(nameof(EntryErrors))]
    public void Invalid_entry_is_rejected_with_index_and_reason_while_neighbours_are_stored(string segment, string entry, string reason)
    {
        Assert.True(AirEntryTypes.TryParse(U(segment), out var type));
        string valid = ValidOf(type);
        var (accepted, records, rejected) = Parse(type, Body(valid, valid, entry, valid));
        Assert.Equal(3, accepted);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal(valid, r.Json));
        Assert.Equal([new AirRejection(2, reason)], rejected);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"text\"")]
    [InlineData("[{}]")]
    [InlineData("null")]
    public void Entry_that_is_not_an_object_is_rejected(string entry)
    {
        var (accepted, _, rejected) = Parse(AirEntryType.Logs, Body(ValidLog, entry, ValidLog));
        Assert.Equal(2, accepted);
        Assert.Equal([new AirRejection(1, "entry must be an object")], rejected);
    }

    [Fact]
    public void Several_rejections_keep_their_indexes_in_order()
    {
        var (accepted, records, rejected) = Parse(AirEntryType.Logs, Body("1", ValidLog, """{"message":"m"}""", ValidLog.Replace("disk", "cpu")));
        Assert.Equal(2, accepted);
        Assert.Equal([ValidLog, ValidLog.Replace("disk", "cpu")], records.Select(r => r.Json));
        Assert.Equal([new AirRejection(0, "entry must be an object"), new AirRejection(2, "timestamp: required")], rejected);
    }

    [Fact]
    public void First_problem_in_schema_order_is_the_reason()
    {
        var (_, _, rejected) = Parse(AirEntryType.Traces, Body("""{"status":"bad","duration_ms":-1,"name":"","timestamp":"x"}"""));
        Assert.Equal([new AirRejection(0, "timestamp: must be an ISO 8601 timestamp")], rejected);
    }

    // ---- whole-request refusals ----

    [Fact]
    public void More_than_a_thousand_entries_are_refused()
    {
        var e = Refused(Body(Enumerable.Repeat(ValidLog, 1001).ToArray()));
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("at most 1000 entries per request, got 1001", e.Detail);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"entry\":[]}")]
    [InlineData("{\"entries\":{}}")]
    [InlineData("{\"entries\":null}")]
    [InlineData("{\"entries\":\"[]\"}")]
    [InlineData("[]")]
    [InlineData("42")]
    public void Body_without_an_entries_array_is_refused(string body)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("'entries' must be an array", e.Detail);
    }

    [Fact]
    public void Duplicate_entries_member_is_refused()
    {
        var e = Refused("""{"entries":[],"entries":[]}""");
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("duplicate member 'entries'", e.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"entries\":[")]
    [InlineData("{\"entries\":[]} x")]
    [InlineData("{\"entries\":[1,]}")]
    [InlineData("{'entries':[]}")]
    public void Malformed_json_is_refused_as_invalid_json(string body)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.StartsWith("invalid JSON at byte ", e.Detail);
    }

    [Fact]
    public void Invalid_json_detail_gives_the_byte_offset()
    {
        var e = Refused("{\"entries\":[x]}");
        Assert.StartsWith("invalid JSON at byte 12: ", e.Detail);
        Assert.DoesNotContain("LineNumber", e.Detail);
    }

    [Fact]
    public void Syntax_error_after_rejected_entries_refuses_the_request()
    {
        var e = Refused(Body(ValidLog, "1") + "garbage");
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_offset()
    {
        byte[] body = [.. U("{\"entries\":[{\"timestamp\":\"2025-01-15T10:30:00Z\",\"message\":\""), 0xFF, .. U("\"}]}")];
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => AirParser.Parse(body, AirEntryType.Messages, Received, default, batch, []));
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Equal($"invalid JSON at byte {body.Length - 5}: invalid UTF-8", e.Detail);
    }

    // ---- allocation ----

    [Fact]
    public void Warm_all_valid_parse_allocates_nothing()
    {
        const string entry = """{"timestamp":"2025-01-15T10:30:00.123Z","trace_id":"4bf92f3577b34da6","span_id":"00f067aa0ba902b7","name":"GET \/users","duration_ms":12.5,"status":"ok","attributes":{"http.status":200,"tags":["a","b"]}}""";
        var body = U(Body(Enumerable.Repeat(entry, 500).ToArray()));
        var tenant = U(Tenant);
        var rejected = new List<AirRejection>();
        using var batch = new RecordBatch();
        AirParser.Parse(body, AirEntryType.Traces, Received, tenant, batch, rejected); // warm up: JIT, buffer growth, pool
        batch.Reset();
        AirParser.Parse(body, AirEntryType.Traces, Received, tenant, batch, rejected);
        batch.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int accepted = AirParser.Parse(body, AirEntryType.Traces, Received, tenant, batch, rejected);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, accepted);
        Assert.Empty(rejected);
        Assert.Equal(0, allocated);
    }
}
