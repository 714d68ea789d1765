using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using static Ingestd.Tests.Dialects.OtlpTestData;

namespace Ingestd.Tests.Dialects;

public class OtlpLogsTests
{
    private const string ExampleJson = """{"resource":{"service.name":"my.service"},"scope":{"name":"my.library","version":"1.0.0","attributes":{"my.scope.attribute":"some scope attribute"}},"log":{"timeUnixNano":"1544712660300000000","observedTimeUnixNano":"1544712660300000000","severityText":"Information","body":"Example log record","attributes":{"string.attribute":"some string","boolean.attribute":true,"int.attribute":10,"double.attribute":637.704,"array.attribute":["many","values"],"map.attribute":{"some.map.key":"some value"}},"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}}""";

    private static string OneLog(string record, string resource = """{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]}""")
        => $$"""{"resourceLogs":[{"resource":{{resource}},"scopeLogs":[{"logRecords":[{{record}}]}]}]}""";

    private static string LogJsonOf(string record) => System.Text.Json.JsonDocument.Parse(record).RootElement.GetProperty("log").GetRawText();

    [Fact]
    public void Spec_example_logs_json_becomes_one_record()
    {
        var (result, records) = Json(OtlpSignal.Logs, LogsExample, tenant: "org-1");
        Assert.Equal(new OtlpResult(1, 0, null), result);
        var r = Assert.Single(records);
        Assert.Equal(Received, r.ReceivedNs);
        Assert.Equal(1544712660300000000, r.EventNs);
        Assert.Equal(Dialect.Otlp, r.Dialect);
        Assert.Equal(RecordKind.Log, r.Kind);
        Assert.Equal("org-1", r.Tenant);
        Assert.Equal("information", r.Level);
        Assert.Equal("my.service", r.Service);
        Assert.Equal("1544712660300000000", r.TimestampText);
        Assert.Equal(ExampleJson, r.Json);
    }

    [Fact]
    public void Protobuf_logs_make_the_same_record_as_json()
    {
        var (jsonResult, fromJson) = Json(OtlpSignal.Logs, LogsExample, tenant: "org-1");
        var (protoResult, fromProto) = Proto(OtlpSignal.Logs, LogsExampleProtobuf(), tenant: "org-1");
        Assert.Equal(jsonResult, protoResult);
        Assert.Equal(fromJson, fromProto);
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(1, "trace")]
    [InlineData(4, "trace")]
    [InlineData(5, "debug")]
    [InlineData(8, "debug")]
    [InlineData(9, "info")]
    [InlineData(12, "info")]
    [InlineData(13, "warn")]
    [InlineData(16, "warn")]
    [InlineData(17, "error")]
    [InlineData(20, "error")]
    [InlineData(21, "fatal")]
    [InlineData(24, "fatal")]
    [InlineData(25, "")]
    public void Severity_number_maps_to_level(int number, string level)
    {
        var (_, fromJson) = Json(OtlpSignal.Logs, OneLog($$$"""{"severityNumber":{{{number}}}}"""));
        var (_, fromProto) = Proto(OtlpSignal.Logs, Pb.Request(null, null, new Pb().Int(2, number)));
        Assert.Equal(level, Assert.Single(fromJson).Level);
        Assert.Equal(level, Assert.Single(fromProto).Level);
    }

    [Fact]
    public void Severity_text_wins_over_number_and_is_lower_cased()
    {
        var (_, records) = Json(OtlpSignal.Logs, OneLog("""{"severityNumber":17,"severityText":"WARNING"}"""));
        Assert.Equal("warning", Assert.Single(records).Level);
    }

    [Fact]
    public void Event_time_falls_back_to_observed_time_then_to_receive_time()
    {
        var (_, observed) = Json(OtlpSignal.Logs, OneLog("""{"observedTimeUnixNano":"1700000000000000000"}"""));
        var (_, neither) = Json(OtlpSignal.Logs, OneLog("""{"body":{"stringValue":"x"}}"""));
        Assert.Equal(1700000000000000000, Assert.Single(observed).EventNs);
        Assert.Equal("", observed[0].TimestampText);
        Assert.Equal(Received, Assert.Single(neither).EventNs);
        Assert.Equal("", neither[0].TimestampText);
    }

    [Fact]
    public void Sixty_four_bit_integers_are_accepted_as_strings_or_numbers()
    {
        var (_, asString) = Json(OtlpSignal.Logs, OneLog("""{"timeUnixNano":"1544712660300000000","attributes":[{"key":"n","value":{"intValue":"-9007199254740993"}}]}"""));
        var (_, asNumber) = Json(OtlpSignal.Logs, OneLog("""{"timeUnixNano":1544712660300000000,"attributes":[{"key":"n","value":{"intValue":-9007199254740993}}]}"""));
        Assert.Equal(asString, asNumber);
        Assert.Contains("\"n\":-9007199254740993", asString[0].Json);
    }

    [Fact]
    public void Service_is_empty_without_a_service_name_attribute()
    {
        var (_, records) = Json(OtlpSignal.Logs, OneLog("{}", resource: """{"attributes":[{"key":"host.name","value":{"stringValue":"h1"}}]}"""));
        Assert.Equal("", Assert.Single(records).Service);
        Assert.StartsWith("""{"resource":{"host.name":"h1"},"log":{""", records[0].Json);
    }

    [Fact]
    public void Empty_resource_and_scope_are_omitted()
    {
        var (_, records) = Json(OtlpSignal.Logs, """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hi"}}]}]}]}""");
        Assert.Equal("""{"log":{"body":"hi"}}""", Assert.Single(records).Json);
    }

    [Fact]
    public void Resource_given_after_the_scope_list_still_applies()
    {
        const string body = """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hi"}}],"scope":{"name":"lib"}}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}""";
        var (_, records) = Json(OtlpSignal.Logs, body);
        var r = Assert.Single(records);
        Assert.Equal("late", r.Service);
        Assert.Equal("""{"resource":{"service.name":"late"},"scope":{"name":"lib"},"log":{"body":"hi"}}""", r.Json);
    }

    [Fact]
    public void Scope_given_after_its_records_inside_a_late_resource_still_applies()
    {
        const string body = """
            {"resourceLogs":[{"scopeLogs":[
                {"logRecords":[{"body":{"stringValue":"a"}},{"body":{"stringValue":"b"}}],"scope":{"version":"2","name":"lib"}},
                {"logRecords":[{"body":{"stringValue":"c"}}]}],
              "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late"}}]}}]}
            """;
        var (_, records) = Json(OtlpSignal.Logs, body);
        Assert.Equal([
            """{"resource":{"service.name":"late"},"scope":{"name":"lib","version":"2"},"log":{"body":"a"}}""",
            """{"resource":{"service.name":"late"},"scope":{"name":"lib","version":"2"},"log":{"body":"b"}}""",
            """{"resource":{"service.name":"late"},"log":{"body":"c"}}""",
        ], records.Select(r => r.Json));
    }

    [Fact]
    public void Members_in_any_order_make_the_same_record()
    {
        var (_, ordered) = Json(OtlpSignal.Logs, OneLog("""{"timeUnixNano":"5","severityNumber":9,"body":{"stringValue":"b"},"attributes":[{"key":"k","value":{"boolValue":false}}],"spanId":"0102030405060708"}"""));
        var (_, shuffled) = Json(OtlpSignal.Logs, OneLog("""{"spanId":"0102030405060708","attributes":[{"value":{"boolValue":false},"key":"k"}],"body":{"stringValue":"b"},"severityNumber":9,"timeUnixNano":"5"}"""));
        Assert.Equal(ordered, shuffled);
    }

    [Fact]
    public void Any_values_map_to_plain_json()
    {
        const string attributes = """
            [{"key":"bytes","value":{"bytesValue":"AQID"}},
             {"key":"empty","value":{}},
             {"key":"none"},
             {"key":"nested","value":{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"a","value":{"doubleValue":1.5}}]}},{"intValue":"7"}]}}},
             {"key":"esc\u0061ped","value":{"stringValue":"caf\u00e9 \"q\""}}]
            """;
        var (_, records) = Json(OtlpSignal.Logs, OneLog($$"""{"attributes":{{attributes}}}"""));
        Assert.Equal("""{"bytes":"AQID","empty":null,"none":null,"nested":[{"a":1.5},7],"escaped":"café \"q\""}""",
            System.Text.Json.JsonDocument.Parse(LogJsonOf(Assert.Single(records).Json)).RootElement.GetProperty("attributes").GetRawText());
    }

    [Fact]
    public void Protobuf_any_values_map_to_the_same_plain_json()
    {
        var record = new Pb()
            .Message(6, Pb.Kv("bytes", Pb.BytesValue([1, 2, 3])))
            .Message(6, Pb.Kv("empty", new Pb()))
            .Message(6, new Pb().String(1, "none"))
            .Message(6, Pb.Kv("nested", Pb.Array(Pb.KvList(Pb.Kv("a", Pb.F64(1.5))), Pb.I64(7))))
            .Message(6, Pb.Kv("escaped", Pb.Str("café \"q\"")));
        var (_, records) = Proto(OtlpSignal.Logs, Pb.Request(null, null, record));
        Assert.Equal("""{"log":{"attributes":{"bytes":"AQID","empty":null,"none":null,"nested":[{"a":1.5},7],"escaped":"café \"q\""}}}""",
            Assert.Single(records).Json);
    }

    [Fact]
    public void Ids_in_upper_or_lower_case_hex_are_stored_lower_case()
    {
        var (_, upper) = Json(OtlpSignal.Logs, OneLog("""{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"}"""));
        var (_, lower) = Json(OtlpSignal.Logs, OneLog("""{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}"""));
        Assert.Equal(upper, lower);
        Assert.Contains("\"traceId\":\"5b8efff798038103d269b633813fc60c\"", lower[0].Json);
    }

    [Fact]
    public void Empty_ids_are_absent()
    {
        var (result, records) = Json(OtlpSignal.Logs, OneLog("""{"traceId":"","spanId":"","body":{"stringValue":"x"}}"""));
        Assert.Equal(1, result.Accepted);
        Assert.DoesNotContain("traceId", Assert.Single(records).Json);
    }

    [Theory]
    [InlineData("""{"traceId":"5B8EFFF798038103D269B633813FC6"}""", "traceId must be 16 bytes (32 hex digits)")]
    [InlineData("""{"traceId":"5B8EFFF798038103D269B633813FC60Z"}""", "traceId must be 16 bytes (32 hex digits)")]
    [InlineData("""{"spanId":"EEE19B7EC3C1B1"}""", "spanId must be 8 bytes (16 hex digits)")]
    [InlineData("""{"traceId":"W4796Jg4EDPSabYzgT/GDA=="}""", "traceId must be 16 bytes (32 hex digits)")]
    [InlineData("""{"timeUnixNano":"soon"}""", "timeUnixNano must be an unsigned 64-bit integer")]
    [InlineData("""{"severityNumber":"high"}""", "severityNumber must be an integer")]
    [InlineData("""{"attributes":[{"key":"n","value":{"intValue":"1.5"}}]}""", "intValue must be a 64-bit integer")]
    [InlineData("""{"body":{"stringValue":"a","intValue":1}}""", "an AnyValue holds more than one value")]
    public void Invalid_log_record_is_rejected_and_its_neighbours_stored(string bad, string problem)
    {
        string body = $$$"""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"one"}},{{{bad}}},{"body":{"stringValue":"three"}}]}]}]}""";
        var (result, records) = Json(OtlpSignal.Logs, body);
        Assert.Equal(2, result.Accepted);
        Assert.Equal(1, result.Rejected);
        Assert.Equal($"log record #2: {problem}", result.ErrorMessage);
        Assert.Equal(["""{"log":{"body":"one"}}""", """{"log":{"body":"three"}}"""], records.Select(r => r.Json));
    }

    [Fact]
    public void Protobuf_log_record_with_a_short_span_id_is_rejected_and_counted()
    {
        var good = new Pb().Message(5, Pb.Str("ok"));
        var bad = new Pb().Hex(10, "EEE19B7EC3C1B1");
        var (result, records) = Proto(OtlpSignal.Logs, Pb.Request(null, null, good, bad, bad, good));
        Assert.Equal(new OtlpResult(2, 2, "log record #2: spanId must be 8 bytes (16 hex digits)"), result);
        Assert.Equal(2, records.Count);
    }

    [Fact]
    public void Unknown_members_and_fields_are_ignored()
    {
        var (_, json) = Json(OtlpSignal.Logs, """{"x":1,"resourceLogs":[{"schemaUrl":"u","scopeLogs":[{"y":[1],"logRecords":[{"z":{"a":1},"body":{"stringValue":"hi","w":2}}]}]}]}""");
        var record = new Pb().Varint(99, 5).Message(5, Pb.Str("hi")).Fixed32(98, 1).Fixed64(97, 1).String(96, "s");
        var (_, proto) = Proto(OtlpSignal.Logs, new Pb().Varint(7, 1).Raw(Pb.Request(null, null, record)).ToArray());
        Assert.Equal("""{"log":{"body":"hi"}}""", Assert.Single(json).Json);
        Assert.Equal(json, proto);
    }

    [Fact]
    public void Empty_requests_store_nothing()
    {
        Assert.Equal(new OtlpResult(0, 0, null), Json(OtlpSignal.Logs, "{}").Result);
        Assert.Equal(new OtlpResult(0, 0, null), Json(OtlpSignal.Logs, """{"resourceLogs":[]}""").Result);
        Assert.Equal(new OtlpResult(0, 0, null), Proto(OtlpSignal.Logs, []).Result);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("""{"resourceLogs":{}}""")]
    [InlineData("""{"resourceLogs":[1]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":}]}]}]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":["x"]}]}]}""")]
    [InlineData("""{"resourceLogs":[]} x""")]
    [InlineData("""{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":{"intValue":"x"}}]}}]}""")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"\uD800"}}]}]}]}""")]
    public void Malformed_json_refuses_the_request(string body)
    {
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => OtlpParser.ParseJson(OtlpSignal.Logs, U(body), Received, default, batch));
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
    }

    [Fact]
    public void Invalid_utf8_refuses_the_request()
    {
        byte[] body = [.. U("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":" """), 0xC3, 0x28, .. U("\"}}]}]}]}")];
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => OtlpParser.ParseJson(OtlpSignal.Logs, body, Received, default, batch));
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Contains("invalid UTF-8", e.Detail);
    }

    public static TheoryData<byte[]> MalformedProtobuf => new()
    {
        new byte[] { 0x0A },                                  // tag without length
        new byte[] { 0x0A, 0x05, 0x12, 0x00 },                // length past the end
        new byte[] { 0x0B },                                  // wire type 3 (start group)
        new byte[] { 0x0D, 0, 0, 0, 0 },                      // resource_logs as fixed32
        new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 }, // varint beyond 64 bits
        new byte[] { 0x00 },                                  // field number 0
        Pb.Request(null, null, new Pb().Fixed32(1, 0)),       // time_unix_nano as fixed32
        Pb.Request(null, null, new Pb().Raw(0x1A, 0x02, 0xC3, 0x28)), // severity_text not UTF-8
        Pb.Request(null, null, new Pb().Raw(0x09, 1, 2, 3)),  // truncated fixed64
    };

    [Theory]
    [MemberData(nameof(MalformedProtobuf))]
    public void Malformed_protobuf_refuses_the_request(byte[] body)
    {
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => OtlpParser.ParseProtobuf(OtlpSignal.Logs, body, Received, default, batch));
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
    }

    [Fact]
    public void Deeply_nested_protobuf_any_value_refuses_the_request()
    {
        var value = Pb.Str("leaf");
        for (int i = 0; i < 100; i++) value = Pb.Array(value);
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => OtlpParser.ParseProtobuf(OtlpSignal.Logs,
            Pb.Request(null, null, new Pb().Message(5, value)), Received, default, batch));
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
    }
}
