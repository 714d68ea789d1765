using Ingestd.Parsing.Dialects.Streams;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Dialects;

public class StreamEventParserTests
{
    private const long Received = 1_717_000_000_000_000_000;
    private const string StreamId = "a0c3b4de-1923-4ff1-8dba-f92ad912d20f";
    private const string Tenant = "org-xyz";

    // The request body of seed 001, as documented.
    private const string SeedBody = """
        {
        "timestamp": "2025-02-12T14:32:15Z",
        "source": "payments-app",
        "event": {
        "transactionId": "txn_30921",
        "status": "approved",
        "latency_ms": 182,
        "amount": 499,
        "currency": "USD"
        },
        "metadata": {
        "env": "prod",
        "team": "payments"
        }
        }
        """;

    private const string Minimal = """{"source":"s","event":{}}""";

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private sealed record Rec(long ReceivedNs, long EventNs, Dialect Dialect, RecordKind Kind, string Tenant, string Level,
        string Service, string TimestampText, byte[] Json, string Stream);

    private static Rec Parse(string body, string streamId = StreamId) => Parse(U(body), streamId);

    private static Rec Parse(byte[] body, string streamId = StreamId)
    {
        using var batch = new RecordBatch();
        StreamEventParser.Parse(body, Received, U(Tenant), U(streamId), batch);
        Assert.Equal(1, batch.Count);
        Assert.True(RecordView.TryRead(batch.Bytes, out var v, out int length));
        Assert.Equal(batch.ByteLength, length);
        return new Rec(v.ReceivedNs, v.EventNs, v.Dialect, v.Kind, S(v.Tenant), S(v.Level), S(v.Service), S(v.TimestampText), v.Json.ToArray(), S(v.Stream));
    }

    private static RequestRejectedException Refused(string body) => Refused(U(body));

    private static RequestRejectedException Refused(byte[] body)
    {
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => StreamEventParser.Parse(body, Received, U(Tenant), U(StreamId), batch));
        Assert.Equal(0, batch.Count);
        return e;
    }

    private static long Ns(string timestamp)
    {
        Assert.True(TimestampParser.TryParse(U(timestamp), out long ns));
        return ns;
    }

    [Fact]
    public void Seed_example_becomes_one_event_record()
    {
        var r = Parse(SeedBody);
        Assert.Equal(Received, r.ReceivedNs);
        Assert.Equal(Ns("2025-02-12T14:32:15Z"), r.EventNs);
        Assert.Equal(Dialect.Streams, r.Dialect);
        Assert.Equal(RecordKind.Event, r.Kind);
        Assert.Equal(Tenant, r.Tenant);
        Assert.Equal(StreamId, r.Stream);
        Assert.Equal("", r.Level);
        Assert.Equal("payments-app", r.Service);
        Assert.Equal("2025-02-12T14:32:15Z", r.TimestampText);
        Assert.Equal(SeedBody, S(r.Json));
    }

    [Fact]
    public void Stored_json_is_the_body_object_without_surrounding_whitespace()
    {
        const string obj = "{ \"source\" : \"s\",\n\t\"event\":{\"a\":[1,2.50,-3e+10,true,null,\"\\u00e9\"]}, \"x\":1 }";
        Assert.Equal(U(obj), Parse(" \r\n\t" + obj + "\n\n ").Json);
    }

    [Fact]
    public void Missing_timestamp_defaults_to_the_receive_time()
    {
        var r = Parse(Minimal);
        Assert.Equal(Received, r.EventNs);
        Assert.Equal("", r.TimestampText);
    }

    [Theory]
    [InlineData("2025-02-12T14:32:15.123456789+02:00")]
    [InlineData("2025-02-12 14:32:15.5")]
    [InlineData("20250212T143215Z")]
    [InlineData("2025-02-12")]
    public void Iso_8601_timestamps_are_parsed(string timestamp)
    {
        var r = Parse("{\"timestamp\":\"" + timestamp + "\",\"source\":\"s\",\"event\":{}}");
        Assert.Equal(Ns(timestamp), r.EventNs);
        Assert.Equal(timestamp, r.TimestampText);
    }

    [Fact]
    public void Escaped_timestamp_is_parsed_after_unescaping_and_kept_raw()
    {
        var r = Parse("""{"timestamp":"2025-02-12T14:32:15\u005A","source":"s","event":{}}""");
        Assert.Equal(Ns("2025-02-12T14:32:15Z"), r.EventNs);
        Assert.Equal("2025-02-12T14:32:15\\u005A", r.TimestampText);
    }

    [Fact]
    public void Escaped_source_is_unescaped()
    {
        Assert.Equal("pay/ments-é", Parse("""{"source":"pay\/ments\u002D\u00e9","event":{}}""").Service);
    }

    [Fact]
    public void Escaped_member_names_are_recognised()
    {
        var r = Parse("""{"\u0073ource":"s","ev\u0065nt":{}}""");
        Assert.Equal("s", r.Service);
    }

    [Fact]
    public void Unknown_members_are_allowed_and_kept()
    {
        const string body = """{"source":"s","event":{},"host":"h1","tags":["a",{"b":null}]}""";
        Assert.Equal(U(body), Parse(body).Json);
    }

    [Fact]
    public void Null_metadata_counts_as_absent()
    {
        Assert.Equal("s", Parse("""{"source":"s","event":{},"metadata":null}""").Service);
    }

    [Fact]
    public void Source_of_1024_bytes_is_accepted()
    {
        string source = new('s', 1024);
        Assert.Equal(source, Parse("{\"source\":\"" + source + "\",\"event\":{}}").Service);
    }

    [Fact]
    public void Empty_stream_id_is_stored_as_given()
    {
        Assert.Equal("", Parse(Minimal, streamId: "").Stream);
    }

    [Fact]
    public void Stream_id_is_the_record_stream_and_the_tenant_is_the_one_given()
    {
        var r = Parse(Minimal, streamId: "checkout-events");
        Assert.Equal(("org-xyz", "checkout-events"), (r.Tenant, r.Stream));
    }

    [Fact]
    public void Success_path_allocates_nothing()
    {
        var body = U(SeedBody);
        var escaped = U("""{"timestamp":"2025-02-12T14:32:15\u005A","source":"pay\/ments","event":{}}""");
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++) // warm up: JIT, pool, buffer growth
        {
            StreamEventParser.Parse(body, Received, "org-xyz"u8, "stream"u8, batch);
            StreamEventParser.Parse(escaped, Received, "org-xyz"u8, "stream"u8, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        StreamEventParser.Parse(body, Received, "org-xyz"u8, "stream"u8, batch);
        StreamEventParser.Parse(escaped, Received, "org-xyz"u8, "stream"u8, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(2, batch.Count);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{\"source\":\"s\"")]
    [InlineData("{\"source\":\"s\",\"event\":{}} x")]
    [InlineData("{\"source\":\"s\",\"event\":{}}{}")]
    [InlineData("{\"source\":\"s\",\"event\":{},}")]
    [InlineData("{'source':'s'}")]
    [InlineData("{\"source\":\"s\",\"event\":{}} // comment")]
    [InlineData("[1,")]
    public void Malformed_json_is_refused_as_invalid_json(string body)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.StartsWith("The request body is not valid JSON: ", e.Detail);
        Assert.Matches(@" \(byte \d+\)\.$", e.Detail);
        Assert.DoesNotContain("LineNumber", e.Detail);
    }

    [Fact]
    public void Invalid_json_detail_names_the_reader_message_and_byte()
    {
        var e = Refused("{\n\"source\":x}");
        Assert.Equal("The request body is not valid JSON: 'x' is an invalid start of a value. (byte 11).", e.Detail);
    }

    [Fact]
    public void Trailing_data_is_refused_as_invalid_json()
    {
        var e = Refused(Minimal + " x");
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.EndsWith($"(byte {Minimal.Length + 1}).", e.Detail);
    }

    [Fact]
    public void Invalid_utf8_is_refused_as_invalid_json()
    {
        byte[] body = [.. U("{\"source\":\""), 0xC3, 0x28, .. U("\",\"event\":{}}")];
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Equal("The request body is not valid JSON: invalid UTF-8 (byte 11).", e.Detail);
    }

    [Fact]
    public void Syntax_error_after_a_content_error_is_reported_as_invalid_json()
    {
        Assert.Equal(RejectReason.InvalidJson, Refused("""{"source":5,"event":{}} garbage""").Reason);
    }

    public static TheoryData<string, string?, string> ContentErrors => new()
    {
        // body, field, exact detail
        { "[]", null, "The request body must be a JSON object." },
        { "[{\"source\":\"s\",\"event\":{}}]", null, "The request body must be a JSON object." },
        { "\"text\"", null, "The request body must be a JSON object." },
        { "42", null, "The request body must be a JSON object." },
        { "null", null, "The request body must be a JSON object." },
        { """{"timestamp":"yesterday","source":"s","event":{}}""", "timestamp", "The 'timestamp' field must be a valid ISO 8601 string." },
        { """{"timestamp":"2025-02-30T00:00:00Z","source":"s","event":{}}""", "timestamp", "The 'timestamp' field must be a valid ISO 8601 string." },
        { """{"timestamp":"","source":"s","event":{}}""", "timestamp", "The 'timestamp' field must be a valid ISO 8601 string." },
        { """{"timestamp":1739370735,"source":"s","event":{}}""", "timestamp", "The 'timestamp' field must be a valid ISO 8601 string." },
        { """{"timestamp":null,"source":"s","event":{}}""", "timestamp", "The 'timestamp' field must be a valid ISO 8601 string." },
        { """{"timestamp":{"t":1},"source":"s","event":{}}""", "timestamp", "The 'timestamp' field must be a valid ISO 8601 string." },
        { "{\"timestamp\":\"2025-02-12T14:32:15." + new string('1', 60) + "Z\",\"source\":\"s\",\"event\":{}}", "timestamp", "The 'timestamp' field must be a valid ISO 8601 string." },
        { """{"event":{}}""", "source", "The 'source' field is required." },
        { """{"source":"","event":{}}""", "source", "The 'source' field must be a non-empty string." },
        { """{"source":7,"event":{}}""", "source", "The 'source' field must be a non-empty string." },
        { """{"source":null,"event":{}}""", "source", "The 'source' field must be a non-empty string." },
        { """{"source":["s"],"event":{}}""", "source", "The 'source' field must be a non-empty string." },
        { "{\"source\":\"" + new string('s', 1025) + "\",\"event\":{}}", "source", "The 'source' field must be at most 1024 bytes." },
        { "{\"source\":\"" + string.Concat(Enumerable.Repeat("\\u0073", 1025)) + "\",\"event\":{}}", "source", "The 'source' field must be at most 1024 bytes." },
        { """{"source":"s"}""", "event", "The 'event' field is required." },
        { """{"source":"s","event":null}""", "event", "The 'event' field must be an object." },
        { """{"source":"s","event":[]}""", "event", "The 'event' field must be an object." },
        { """{"source":"s","event":"x"}""", "event", "The 'event' field must be an object." },
        { """{"source":"s","event":{},"metadata":"x"}""", "metadata", "The 'metadata' field must be an object." },
        { """{"source":"s","event":{},"metadata":[1]}""", "metadata", "The 'metadata' field must be an object." },
        { """{"source":"s","event":{},"metadata":3}""", "metadata", "The 'metadata' field must be an object." },
        { """{"timestamp":"2025-02-12","source":"s","event":{},"timestamp":"2025-02-12"}""", "timestamp", "Duplicate 'timestamp' field." },
        { """{"source":"s","event":{},"source":"t"}""", "source", "Duplicate 'source' field." },
        { """{"source":"s","event":{},"event":{}}""", "event", "Duplicate 'event' field." },
        { """{"source":"s","event":{},"metadata":{},"metadata":null}""", "metadata", "Duplicate 'metadata' field." },
    };

    [Theory]
    [MemberData(nameof(ContentErrors))]
    public void Invalid_event_is_refused_with_the_documented_detail(string body, string? field, string detail)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal(detail, e.Detail);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Missing_source_is_reported_before_missing_event()
    {
        Assert.Equal("The 'source' field is required.", Refused("{}").Detail);
    }
}
