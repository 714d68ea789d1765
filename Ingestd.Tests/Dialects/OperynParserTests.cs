using Ingestd.Parsing.Dialects.Operyn;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Dialects;

public class OperynParserTests
{
    private const long Received = 1_717_000_000_000_000_000;
    private const string Tenant = "org_123456789";

    private const string SeedLog = """
        {
        "service": "api-gateway",
        "level": "error",
        "message": "Upstream timeout connecting to auth-service",
        "traceId": "abc-123-def",
        "metadata": {
        "region": "us-east-1",
        "env": "prod",
        "team": "platform"
        }
        }
        """;

    private const string SeedBatch = """
        [
        {
        "service": "billing-service",
        "level": "error",
        "message": "Payment failed for customer 42"
        },
        {
        "service": "billing-service",
        "level": "warn",
        "message": "Retry attempt 3 for payment gateway"
        }
        ]
        """;

    private const string SeedMetric = """
        {
        "service": "api-gateway",
        "name": "request_latency_p99",
        "value": 2.34,
        "unit": "seconds",
        "labels": {
        "region": "us-east-1",
        "env": "prod",
        "endpoint": "/api/v1/users"
        }
        }
        """;

    private const string SeedDeployment = """
        {
        "service": "payment-service",
        "version": "v2.0.1",
        "environment": "production",
        "gitHash": "a1b2c3d4",
        "metadata": {
        "deployedBy": "jenkins",
        "deployId": "job-123"
        }
        }
        """;

    private const string ValidLog = """{"service":"s","level":"info","message":"m"}""";

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

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

    private delegate void SingleParser(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, RecordBatch batch);

    private static Rec ParseOne(SingleParser parse, string body)
    {
        using var batch = new RecordBatch();
        parse(U(body), Received, U(Tenant), batch);
        return Assert.Single(Records(batch));
    }

    private static Rec Log(string body) => ParseOne(OperynParser.ParseLog, body);

    private static List<Rec> Batch(string body)
    {
        using var batch = new RecordBatch();
        int n = OperynParser.ParseLogBatch(U(body), Received, U(Tenant), batch);
        var records = Records(batch);
        Assert.Equal(n, records.Count);
        return records;
    }

    private static RequestRejectedException Refused(SingleParser parse, string body)
    {
        using var batch = new RecordBatch();
        return Assert.Throws<RequestRejectedException>(() => parse(U(body), Received, U(Tenant), batch));
    }

    private static RequestRejectedException RefusedLog(string body) => Refused(OperynParser.ParseLog, body);
    private static RequestRejectedException RefusedMetric(string body) => Refused(OperynParser.ParseMetric, body);
    private static RequestRejectedException RefusedDeployment(string body) => Refused(OperynParser.ParseDeployment, body);

    private static RequestRejectedException RefusedBatch(string body)
    {
        using var batch = new RecordBatch();
        return Assert.Throws<RequestRejectedException>(() => OperynParser.ParseLogBatch(U(body), Received, U(Tenant), batch));
    }

    private static long Ns(string timestamp)
    {
        Assert.True(TimestampParser.TryParse(U(timestamp), out long ns));
        return ns;
    }

    private static void AssertInvalidEvent(RequestRejectedException e, string noun, string path, string problem)
    {
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal($"Invalid {noun} event: {path}: {problem}", e.Detail);
        Assert.Equal(path, e.Field);
    }

    // ---- the seed's examples ----

    [Fact]
    public void Seed_log_example_becomes_one_log_record()
    {
        var r = Log(SeedLog);
        Assert.Equal(Received, r.ReceivedNs);
        Assert.Equal(Received, r.EventNs); // no timestamp: server time
        Assert.Equal(Dialect.Operyn, r.Dialect);
        Assert.Equal(RecordKind.Log, r.Kind);
        Assert.Equal(Tenant, r.Tenant);
        Assert.Equal("error", r.Level);
        Assert.Equal("api-gateway", r.Service);
        Assert.Equal("", r.TimestampText);
        Assert.Equal(SeedLog, r.Json);
    }

    [Fact]
    public void Seed_batch_example_becomes_two_log_records()
    {
        var records = Batch(SeedBatch);
        Assert.Equal(2, records.Count);
        Assert.Equal(["error", "warn"], records.Select(r => r.Level));
        Assert.All(records, r => Assert.Equal("billing-service", r.Service));
        Assert.All(records, r => Assert.Equal(RecordKind.Log, r.Kind));
        Assert.All(records, r => Assert.Equal(Tenant, r.Tenant));
        Assert.StartsWith("{\n\"service\": \"billing-service\",\n\"level\": \"error\"", records[0].Json);
        Assert.EndsWith("\"Retry attempt 3 for payment gateway\"\n}", records[1].Json);
    }

    [Fact]
    public void Seed_metric_example_becomes_one_metric_record()
    {
        var r = ParseOne(OperynParser.ParseMetric, SeedMetric);
        Assert.Equal(RecordKind.Metric, r.Kind);
        Assert.Equal(Dialect.Operyn, r.Dialect);
        Assert.Equal("api-gateway", r.Service);
        Assert.Equal("", r.Level);
        Assert.Equal(Received, r.EventNs);
        Assert.Equal(SeedMetric, r.Json);
    }

    [Fact]
    public void Seed_deployment_example_becomes_one_deployment_record()
    {
        var r = ParseOne(OperynParser.ParseDeployment, SeedDeployment);
        Assert.Equal(RecordKind.Deployment, r.Kind);
        Assert.Equal("payment-service", r.Service);
        Assert.Equal("", r.Level);
        Assert.Equal(SeedDeployment, r.Json);
    }

    // ---- accepted shapes ----

    [Fact]
    public void Timestamp_sets_event_time_and_is_kept_as_sent()
    {
        var r = Log("""{"service":"s","level":"debug","message":"m","timestamp":"2024-05-31T17:30:45.5+02:00"}""");
        Assert.Equal(Ns("2024-05-31T15:30:45.5Z"), r.EventNs);
        Assert.Equal("2024-05-31T17:30:45.5+02:00", r.TimestampText);
    }

    [Fact]
    public void Escaped_timestamp_is_parsed_unescaped_and_kept_raw()
    {
        var r = Log("""{"service":"s","level":"info","message":"m","timestamp":"2024-05-31T15:30:45\u005A"}""");
        Assert.Equal(Ns("2024-05-31T15:30:45Z"), r.EventNs);
        Assert.Equal("2024-05-31T15:30:45\\u005A", r.TimestampText);
    }

    [Fact]
    public void Service_is_trimmed_in_the_envelope_while_the_json_is_untouched()
    {
        const string body = "{\"service\":\"  \\t billing-service \\n\u00a0\",\"level\":\"info\",\"message\":\"m\"}";
        var r = Log(body);
        Assert.Equal("billing-service", r.Service);
        Assert.Equal(body, r.Json);
    }

    [Fact]
    public void Escaped_service_is_unescaped_in_the_envelope()
    {
        var r = Log("""{"service":"api\u002Dgateway","level":"info","message":"m"}""");
        Assert.Equal("api-gateway", r.Service);
    }

    [Theory]
    [InlineData("debug")]
    [InlineData("info")]
    [InlineData("warn")]
    [InlineData("error")]
    [InlineData("fatal")]
    public void Each_level_is_accepted(string level)
    {
        Assert.Equal(level, Log(ValidLog.Replace("\"info\"", $"\"{level}\"")).Level);
    }

    [Fact]
    public void Empty_message_is_accepted()
    {
        Assert.Equal("s", Log("""{"service":"s","level":"info","message":""}""").Service);
    }

    [Fact]
    public void Unknown_members_are_allowed_and_kept()
    {
        const string body = """{"service":"s","extra":{"a":[1,{"b":null}]},"level":"info","message":"m","traceId":"t","spanId":"x","host":"h1"}""";
        Assert.Equal(body, Log(body).Json);
    }

    [Fact]
    public void Last_duplicate_member_wins_as_after_json_parse()
    {
        var r = Log("""{"service":"first","level":5,"level":"warn","message":"m","service":"second"}""");
        Assert.Equal("second", r.Service);
        Assert.Equal("warn", r.Level);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1.5e-3")]
    [InlineData("123456789012345678901234567890")]
    public void Metric_value_accepts_any_finite_number(string value)
    {
        var r = ParseOne(OperynParser.ParseMetric, $$"""{"service":"s","name":"n","value":{{value}},"unit":""}""");
        Assert.Equal(RecordKind.Metric, r.Kind);
    }

    [Fact]
    public void Deployment_with_timestamp_uses_it()
    {
        var r = ParseOne(OperynParser.ParseDeployment, """{"service":"s","version":"v1","environment":"prod","timestamp":"2024-05-31 15:30:45"}""");
        Assert.Equal(Ns("2024-05-31T15:30:45Z"), r.EventNs);
    }

    [Fact]
    public void Empty_batch_is_accepted()
    {
        Assert.Empty(Batch("[]"));
    }

    [Fact]
    public void Batch_of_ten_thousand_is_accepted()
    {
        string body = "[" + string.Join(",", Enumerable.Repeat(ValidLog, 10_000)) + "]";
        Assert.Equal(10_000, Batch(body).Count);
    }

    // ---- refusals ----

    public static TheoryData<string, string, string> LogErrors => new()
    {
        // body, path, problem
        { """{"level":"info","message":"m"}""", "service", "Required" },
        { """{"service":"s","message":"m"}""", "level", "Required" },
        { """{"service":"s","level":"info"}""", "message", "Required" },
        { """{"service":1,"level":"info","message":"m"}""", "service", "Expected string, received number" },
        { """{"service":null,"level":"info","message":"m"}""", "service", "Expected string, received null" },
        { """{"service":"   ","level":"info","message":"m"}""", "service", "String must not be empty" },
        { """{"service":"","level":"info","message":"m"}""", "service", "String must not be empty" },
        { """{"service":"s","level":"verbose","message":"m"}""", "level", "Invalid enum value. Expected 'debug' | 'info' | 'warn' | 'error' | 'fatal', received 'verbose'" },
        { """{"service":"s","level":"INFO","message":"m"}""", "level", "Invalid enum value. Expected 'debug' | 'info' | 'warn' | 'error' | 'fatal', received 'INFO'" },
        { """{"service":"s","level":3,"message":"m"}""", "level", "Expected 'debug' | 'info' | 'warn' | 'error' | 'fatal', received number" },
        { """{"service":"s","level":"info","message":true}""", "message", "Expected string, received boolean" },
        { """{"service":"s","level":"info","message":"m","timestamp":"yesterday"}""", "timestamp", "Invalid ISO 8601 timestamp" },
        { """{"service":"s","level":"info","message":"m","timestamp":"2024-02-30T00:00:00Z"}""", "timestamp", "Invalid ISO 8601 timestamp" },
        { """{"service":"s","level":"info","message":"m","timestamp":1717169445}""", "timestamp", "Expected string, received number" },
        { """{"service":"s","level":"info","message":"m","traceId":1}""", "traceId", "Expected string, received number" },
        { """{"service":"s","level":"info","message":"m","spanId":{}}""", "spanId", "Expected string, received object" },
        { """{"service":"s","level":"info","message":"m","metadata":[]}""", "metadata", "Expected object, received array" },
        { """{"service":"s","level":"info","message":"m","metadata":null}""", "metadata", "Expected object, received null" },
        { """{"service":"s","level":"info","message":"m","metadata":"x"}""", "metadata", "Expected object, received string" },
        { "[]", "(root)", "Expected object, received array" },
        { "\"text\"", "(root)", "Expected object, received string" },
    };

    [Theory]
    [MemberData(nameof(LogErrors))]
    public void Invalid_log_is_refused_with_path_and_problem(string body, string path, string problem)
    {
        AssertInvalidEvent(RefusedLog(body), "log", path, problem);
    }

    public static TheoryData<string, string, string> MetricErrors => new()
    {
        { """{"name":"n","value":1,"unit":"u"}""", "service", "Required" },
        { """{"service":"s","value":1,"unit":"u"}""", "name", "Required" },
        { """{"service":"s","name":"","value":1,"unit":"u"}""", "name", "String must not be empty" },
        { """{"service":"s","name":"n","unit":"u"}""", "value", "Required" },
        { """{"service":"s","name":"n","value":"1","unit":"u"}""", "value", "Expected number, received string" },
        { """{"service":"s","name":"n","value":null,"unit":"u"}""", "value", "Expected number, received null" },
        { """{"service":"s","name":"n","value":1e400,"unit":"u"}""", "value", "Number must be finite" },
        { """{"service":"s","name":"n","value":1}""", "unit", "Required" },
        { """{"service":"s","name":"n","value":1,"unit":"u","labels":[]}""", "labels", "Expected object, received array" },
        { """{"service":"s","name":"n","value":1,"unit":"u","labels":{"env":"prod","region":5}}""", "labels.region", "Expected string, received number" },
        { """{"service":"s","name":"n","value":1,"unit":"u","labels":{"re\u0067ion":null,"b":1}}""", "labels.region", "Expected string, received null" },
        { """{"service":"s","name":"n","value":1,"unit":"u","timestamp":"nope"}""", "timestamp", "Invalid ISO 8601 timestamp" },
    };

    [Theory]
    [MemberData(nameof(MetricErrors))]
    public void Invalid_metric_is_refused_with_path_and_problem(string body, string path, string problem)
    {
        AssertInvalidEvent(RefusedMetric(body), "metric", path, problem);
    }

    public static TheoryData<string, string, string> DeploymentErrors => new()
    {
        { """{"version":"v","environment":"e"}""", "service", "Required" },
        { """{"service":"s","environment":"e"}""", "version", "Required" },
        { """{"service":"s","version":"","environment":"e"}""", "version", "String must not be empty" },
        { """{"service":"s","version":"v"}""", "environment", "Required" },
        { """{"service":"s","version":"v","environment":""}""", "environment", "String must not be empty" },
        { """{"service":"s","version":"v","environment":"e","gitHash":123}""", "gitHash", "Expected string, received number" },
        { """{"service":"s","version":"v","environment":"e","metadata":[1]}""", "metadata", "Expected object, received array" },
        { """{"service":"s","version":"v","environment":"e","timestamp":"x"}""", "timestamp", "Invalid ISO 8601 timestamp" },
    };

    [Theory]
    [MemberData(nameof(DeploymentErrors))]
    public void Invalid_deployment_is_refused_with_path_and_problem(string body, string path, string problem)
    {
        AssertInvalidEvent(RefusedDeployment(body), "deployment", path, problem);
    }

    [Fact]
    public void First_problem_in_schema_order_is_reported()
    {
        // Document order has metadata, message and level wrong first; the schema puts service first.
        var e = RefusedLog("""{"metadata":1,"message":2,"level":"x"}""");
        AssertInvalidEvent(e, "log", "service", "Required");
    }

    [Fact]
    public void Overlong_service_is_refused()
    {
        var e = RefusedLog($$"""{"service":"{{new string('s', 1025)}}","level":"info","message":"m"}""");
        AssertInvalidEvent(e, "log", "service", "String must contain at most 1024 byte(s)");
    }

    [Fact]
    public void Batch_problem_path_carries_the_element_index()
    {
        string body = "[" + ValidLog + "," + ValidLog + "," + ValidLog.Replace("\"info\"", "\"loud\"") + "]";
        var e = RefusedBatch(body);
        AssertInvalidEvent(e, "log", "[2].level", "Invalid enum value. Expected 'debug' | 'info' | 'warn' | 'error' | 'fatal', received 'loud'");
        Assert.Equal(2, e.EventIndex);
    }

    [Fact]
    public void Batch_element_that_is_not_an_object_is_refused_at_its_index()
    {
        AssertInvalidEvent(RefusedBatch("[" + ValidLog + ",42]"), "log", "[1]", "Expected object, received number");
    }

    [Fact]
    public void Batch_root_must_be_an_array()
    {
        AssertInvalidEvent(RefusedBatch(ValidLog), "log", "(root)", "Expected array, received object");
    }

    [Fact]
    public void Batch_over_ten_thousand_is_refused()
    {
        string body = "[" + string.Join(",", Enumerable.Repeat(ValidLog, 10_001)) + "]";
        AssertInvalidEvent(RefusedBatch(body), "log", "(root)", "Array must contain at most 10000 element(s)");
    }

    [Fact]
    public void Batch_length_outranks_a_bad_element()
    {
        string body = "[1," + string.Join(",", Enumerable.Repeat(ValidLog, 10_000)) + "]";
        AssertInvalidEvent(RefusedBatch(body), "log", "(root)", "Array must contain at most 10000 element(s)");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"service\":\"s\"")]
    [InlineData("{\"service\":\"s\",}")]
    [InlineData("{\"service\":\"s\"} x")]
    [InlineData("{'service':'s'}")]
    public void Malformed_json_is_refused_as_invalid_json(string body)
    {
        var e = RefusedLog(body);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.StartsWith("Invalid log event: (root): Invalid JSON: ", e.Detail);
        Assert.Equal("(root)", e.Field);
    }

    [Fact]
    public void Invalid_json_names_the_kind()
    {
        Assert.StartsWith("Invalid metric event: (root): Invalid JSON: ", RefusedMetric("{").Detail);
        Assert.StartsWith("Invalid deployment event: (root): Invalid JSON: ", RefusedDeployment("{").Detail);
        Assert.StartsWith("Invalid log event: (root): Invalid JSON: ", RefusedBatch("[").Detail);
    }

    [Fact]
    public void Syntax_error_outranks_a_content_error()
    {
        var e = RefusedBatch("[{\"level\":5}, oops]");
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
    }

    [Fact]
    public void Invalid_utf8_is_refused_as_invalid_json()
    {
        byte[] body = [.. U("{\"service\":\"s\",\"level\":\"info\",\"message\":\""), 0xC3, 0x28, .. U("\"}")];
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => OperynParser.ParseLog(body, Received, default, batch));
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Equal($"Invalid log event: (root): Invalid JSON: invalid UTF-8 at byte {body.Length - 4}", e.Detail);
    }

    [Fact]
    public void Lone_surrogate_in_the_service_is_refused_as_invalid_json()
    {
        var e = RefusedLog("""{"service":"\uD800","level":"info","message":"m"}""");
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
    }

    // ---- allocation ----

    [Fact]
    public void Warm_batch_parse_allocates_nothing()
    {
        var one = """{"service":" api\u002Dgateway ","level":"error","message":"Upstream timeout","timestamp":"2024-05-31T15:30:45.123Z","traceId":"abc","metadata":{"region":"us-east-1","n":[1,2,3]}}""";
        var body = U("[" + string.Join(",", Enumerable.Repeat(one, 500)) + "]");
        using var batch = new RecordBatch();
        OperynParser.ParseLogBatch(body, Received, U(Tenant), batch); // warm up: JIT, buffer growth, pool
        batch.Reset();
        OperynParser.ParseLogBatch(body, Received, U(Tenant), batch);
        batch.Reset();
        var tenant = U(Tenant);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = OperynParser.ParseLogBatch(body, Received, tenant, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, n);
        Assert.Equal(0, allocated);
    }
}
