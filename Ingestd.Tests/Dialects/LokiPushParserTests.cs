using System.Text.Json;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Dialects.Loki;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Snappier;

namespace Ingestd.Tests.Dialects;

public class LokiPushParserTests
{
    private const long Received = 1_717_000_000_000_000_000;
    private const long MaxDecoded = 50L * 1024 * 1024;

    // The example of the Loki HTTP API reference ("Ingest logs").
    private const string DocsExample = """{"streams": [{ "stream": { "foo": "bar2" }, "values": [ [ "1570818238000000000", "fizzbuzz" ] ] }]}""";

    // The structured-metadata example of the same page.
    private const string DocsMetadataExample = """
        {
          "streams": [
            {
              "stream": {
                "label": "value"
              },
              "values": [
                  [ "1570818238000000000", "<log line>", {"trace_id": "0242ac120002", "user_id": "superUser123"}]
              ]
            }
          ]
        }
        """;

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

    private static (int Count, List<Rec> Records) Json(string body, string tenant = "tenant-1")
    {
        using var batch = new RecordBatch();
        int n = LokiPushParser.ParseJson(U(body), Received, U(tenant), batch);
        Assert.Equal(n, batch.Count);
        return (n, Records(batch));
    }

    private static RequestRejectedException JsonRefused(string body)
    {
        using var batch = new RecordBatch();
        return Assert.Throws<RequestRejectedException>(() => LokiPushParser.ParseJson(U(body), Received, "t"u8, batch));
    }

    private static (int Count, List<Rec> Records) Protobuf(byte[] message, string tenant = "tenant-1")
    {
        using var batch = new RecordBatch();
        using var scratch = new PooledBuffer(256);
        int n = LokiPushParser.ParseProtobuf(Snappy.CompressToArray(message), Received, U(tenant), batch, scratch, MaxDecoded);
        Assert.Equal(n, batch.Count);
        return (n, Records(batch));
    }

    private static RequestRejectedException ProtobufRefused(byte[] message) => SnappyRefused(Snappy.CompressToArray(message));

    private static RequestRejectedException SnappyRefused(byte[] body, long maxDecoded = MaxDecoded)
    {
        using var batch = new RecordBatch();
        using var scratch = new PooledBuffer(256);
        return Assert.Throws<RequestRejectedException>(() => LokiPushParser.ParseProtobuf(body, Received, "t"u8, batch, scratch, maxDecoded));
    }

    // ---- a test-only protobuf encoder ----

    private static byte[] Varint(ulong v)
    {
        var bytes = new List<byte>();
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }
        bytes.Add((byte)v);
        return bytes.ToArray();
    }

    private static byte[] Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));
    private static byte[] VarintField(int field, ulong v) => [.. Tag(field, 0), .. Varint(v)];
    private static byte[] Len(int field, byte[] payload) => [.. Tag(field, 2), .. Varint((ulong)payload.Length), .. payload];
    private static byte[] Str(int field, string s) => Len(field, U(s));
    private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Timestamp(long seconds, int nanos) => Len(1, Cat(VarintField(1, (ulong)seconds), VarintField(2, (ulong)(long)nanos)));
    private static byte[] Pair(string name, string value) => Len(3, Cat(Str(1, name), Str(2, value)));
    private static byte[] Entry(long seconds, int nanos, string line, params byte[][] metadata) => Len(2, Cat([Timestamp(seconds, nanos), Str(2, line), .. metadata]));
    private static byte[] Stream(string labels, params byte[][] entries) => Len(1, Cat([Str(1, labels), .. entries, VarintField(3, 12345)]));

    // ---- JSON ----

    [Fact]
    public void Docs_example_becomes_one_record()
    {
        var (count, records) = Json(DocsExample);
        Assert.Equal(1, count);
        var r = Assert.Single(records);
        Assert.Equal(Received, r.ReceivedNs);
        Assert.Equal(1570818238000000000, r.EventNs);
        Assert.Equal("1570818238000000000", r.TimestampText);
        Assert.Equal(Dialect.Loki, r.Dialect);
        Assert.Equal(RecordKind.Log, r.Kind);
        Assert.Equal("tenant-1", r.Tenant);
        Assert.Equal("", r.Service);
        Assert.Equal("", r.Level);
        Assert.Equal("""{"stream":{"foo":"bar2"},"line":"fizzbuzz"}""", r.Json);
    }

    [Fact]
    public void Structured_metadata_is_kept_under_metadata()
    {
        var r = Assert.Single(Json(DocsMetadataExample).Records);
        Assert.Equal("""{"stream":{"label":"value"},"line":"<log line>","metadata":{"trace_id":"0242ac120002","user_id":"superUser123"}}""", r.Json);
    }

    [Fact]
    public void Empty_structured_metadata_is_omitted()
    {
        var r = Assert.Single(Json("""{"streams":[{"stream":{"a":"b"},"values":[["1","x",{}]]}]}""").Records);
        Assert.Equal("""{"stream":{"a":"b"},"line":"x"}""", r.Json);
    }

    [Fact]
    public void Each_value_of_each_stream_becomes_a_record_in_order()
    {
        var (count, records) = Json("""
            {"streams":[
              {"stream":{"job":"a"},"values":[["1","one"],["2","two"]]},
              {"stream":{"job":"b"},"values":[["3","three"]]}
            ]}
            """);
        Assert.Equal(3, count);
        Assert.Equal(["one", "two", "three"], records.Select(r => JsonDocument.Parse(r.Json).RootElement.GetProperty("line").GetString()));
        Assert.Equal(["a", "a", "b"], records.Select(r => r.Service));
        Assert.Equal([1L, 2L, 3L], records.Select(r => r.EventNs));
    }

    [Fact]
    public void Values_before_the_stream_labels_still_get_them()
    {
        var r = Assert.Single(Json("""{"streams":[{"values":[["5","late labels"]],"stream":{"app":"web"}}]}""").Records);
        Assert.Equal("""{"stream":{"app":"web"},"line":"late labels"}""", r.Json);
        Assert.Equal("web", r.Service);
    }

    [Theory]
    [InlineData("""{"service_name":"svc","app":"a","job":"j","container":"c"}""", "svc")]
    [InlineData("""{"container":"c","job":"j","app":"a"}""", "a")]
    [InlineData("""{"container":"c","job":"j"}""", "j")]
    [InlineData("""{"container":"c","host":"h"}""", "c")]
    [InlineData("""{"host":"h"}""", "")]
    public void Service_is_service_name_else_app_else_job_else_container(string labels, string service)
    {
        var r = Assert.Single(Json("""{"streams":[{"stream":""" + labels + ""","values":[["1","x"]]}]}""").Records);
        Assert.Equal(service, r.Service);
    }

    [Theory]
    [InlineData("""{"level":"WARN","severity":"error"}""", "", "warn")]
    [InlineData("""{"severity":"Error","detected_level":"Info"}""", "", "info")]
    [InlineData("""{"severity":"Error"}""", "", "error")]
    [InlineData("""{"level":"info"}""", """,{"detected_level":"DEBUG"}""", "debug")]
    [InlineData("""{"job":"x"}""", """,{"severity":"Critical","trace":"t"}""", "critical")]
    [InlineData("""{"job":"x"}""", "", "")]
    public void Level_is_lower_cased_and_the_entry_metadata_outranks_the_labels(string labels, string metadata, string level)
    {
        var r = Assert.Single(Json("{\"streams\":[{\"stream\":" + labels + ",\"values\":[[\"1\",\"x\"" + metadata + "]]}]}").Records);
        Assert.Equal(level, r.Level);
    }

    [Fact]
    public void Escaped_strings_stay_valid_json_and_are_unescaped_in_the_envelope()
    {
        const string body = """{"streams":[{"stream":{"\u0061pp":"we\"b\\1","lev\u0065l":"W\u0041RN"},"values":[["\u0031\u0032","line1\nline2 \"q\" caf\u00e9 \ud83d\ude00",{"k\"":"v\\"}]]}]}""";
        var r = Assert.Single(Json(body).Records);
        Assert.Equal("we\"b\\1", r.Service);
        Assert.Equal("warn", r.Level);
        Assert.Equal(12, r.EventNs);
        Assert.Equal("12", r.TimestampText);
        using var doc = JsonDocument.Parse(r.Json);
        var root = doc.RootElement;
        Assert.Equal("we\"b\\1", root.GetProperty("stream").GetProperty("app").GetString());
        Assert.Equal("line1\nline2 \"q\" café 😀", root.GetProperty("line").GetString());
        Assert.Equal("v\\", root.GetProperty("metadata").GetProperty("k\"").GetString());
    }

    [Fact]
    public void Other_members_are_ignored()
    {
        var (count, _) = Json("""{"x":[1,{"y":2}],"streams":[{"stream":{"a":"b"},"extra":{"z":[]},"values":[["1","x"]]}],"z":null}""");
        Assert.Equal(1, count);
    }

    [Theory]
    [InlineData("""{"streams":[]}""")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[]}]}""")]
    [InlineData("""{"streams":[{"stream":{"a":"b"}}]}""")]
    public void Empty_streams_give_no_records(string body)
    {
        var (count, records) = Json(body);
        Assert.Equal(0, count);
        Assert.Empty(records);
    }

    [Fact]
    public void Largest_timestamp_that_fits_is_accepted()
    {
        var r = Assert.Single(Json("""{"streams":[{"stream":{"a":"b"},"values":[["9223372036854775807","x"]]}]}""").Records);
        Assert.Equal(long.MaxValue, r.EventNs);
        Assert.Equal("9223372036854775807", r.TimestampText);
    }

    [Theory]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1"]]}]}""", "streams[0].values[0]: must be")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1","x",{},"y"]]}]}""", "streams[0].values[0]: must be")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1","x",["m"]]]}]}""", "streams[0].values[0]: must be")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1","ok"],"x"]}]}""", "streams[0].values[1]: must be")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[[1,"x"]]}]}""", "streams[0].values[0]: must be")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1",2]]}]}""", "streams[0].values[0]: must be")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["-1","x"]]}]}""", "streams[0].values[0]: timestamp")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["","x"]]}]}""", "streams[0].values[0]: timestamp")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["12a","x"]]}]}""", "streams[0].values[0]: timestamp")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1.5","x"]]}]}""", "streams[0].values[0]: timestamp")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["9223372036854775808","x"]]}]}""", "streams[0].values[0]: timestamp")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"k":1}]]}]}""", "streams[0].values[0]: structured metadata values must be strings")]
    [InlineData("""{"streams":[{"stream":{"a":"b"}},{"stream":{"a":1},"values":[]}]}""", "streams[1].stream: label values must be strings")]
    [InlineData("""{"streams":[{"stream":{},"values":[["1","x"]]}]}""", "streams[0].stream: at least one label pair is required")]
    [InlineData("""{"streams":[{"stream":"a=b","values":[["1","x"]]}]}""", "streams[0].stream: must be an object")]
    [InlineData("""{"streams":[{"values":[["1","x"]]}]}""", "streams[0].stream: required object missing")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":{}}]}""", "streams[0].values: must be an array")]
    [InlineData("""{"streams":[[]]}""", "streams[0]: must be an object")]
    [InlineData("""{"streams":{}}""", "body: 'streams' must be an array")]
    [InlineData("""{"stream":[]}""", "body: 'streams' missing")]
    [InlineData("""[]""", "body: must be an object")]
    public void Malformed_push_is_refused_naming_where(string body, string detailStart)
    {
        var e = JsonRefused(body);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.StartsWith(detailStart, e.Detail);
    }

    [Theory]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1","x"]]}""")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1","x"],]}]}""")]
    [InlineData("""{"streams":[{"stream":{"a":"b"},"values":[["1","x"]]}]} trailing""")]
    [InlineData("")]
    public void Invalid_json_is_refused_as_such(string body)
    {
        Assert.Equal(RejectReason.InvalidJson, JsonRefused(body).Reason);
    }

    [Fact]
    public void Syntax_error_after_a_content_error_is_reported_as_invalid_json()
    {
        Assert.Equal(RejectReason.InvalidJson, JsonRefused("""{"streams":[{"stream":{},"values":[}]}""").Reason);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var body = U("""{"streams":[{"stream":{"a":"b"},"values":[["1","x"]]}]}""");
        body[body.Length - 8] = 0xC3; // a lead byte without its continuation, inside "x"'s neighbourhood
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => LokiPushParser.ParseJson(body, Received, "t"u8, batch));
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Contains("invalid UTF-8", e.Detail);
    }

    [Fact]
    public void Warm_json_parse_allocates_nothing()
    {
        var sb = new System.Text.StringBuilder("""{"streams":[""");
        for (int s = 0; s < 20; s++)
        {
            if (s > 0) sb.Append(',');
            sb.Append($$"""{"stream":{"service_name":"svc-{{s}}","env":"prod","le\u0076el":"Info"},"values":[""");
            for (int v = 0; v < 25; v++)
            {
                if (v > 0) sb.Append(',');
                sb.Append($$"""["17000000000000{{v:00000}}","request {{v}} served in \"{{v}}ms\"\n",{"trace_id":"abc{{v}}","detected_level":"WARN"}]""");
            }
            sb.Append("]}");
        }
        sb.Append("]}");
        var body = U(sb.ToString());
        using var batch = new RecordBatch();
        Assert.Equal(500, LokiPushParser.ParseJson(body, Received, "tenant"u8, batch)); // warm up: JIT, pool, batch growth
        batch.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = LokiPushParser.ParseJson(body, Received, "tenant"u8, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, n);
        Assert.Equal(0, allocated);
    }

    // ---- protobuf ----

    [Fact]
    public void Protobuf_push_gives_the_same_records_as_its_json_twin()
    {
        var message = Cat(
            Stream("""{job="varlogs", filename="/var/log/x", level="Info"}""",
                Entry(1570818238, 0, "fizzbuzz"),
                Entry(1570818238, 5, "with \"metadata\"\n", Pair("trace_id", "0242ac120002"), Pair("user_id", "superUser123"))),
            Stream("""{app="web"}""", Entry(1, 2, "second stream", Pair("severity", "ERROR"))));
        const string json = """
            {"streams":[
              {"stream":{"job":"varlogs","filename":"/var/log/x","level":"Info"},"values":[
                ["1570818238000000000","fizzbuzz"],
                ["1570818238000000005","with \"metadata\"\n",{"trace_id":"0242ac120002","user_id":"superUser123"}]]},
              {"stream":{"app":"web"},"values":[["1000000002","second stream",{"severity":"ERROR"}]]}
            ]}
            """;
        var (count, fromProto) = Protobuf(message);
        var (_, fromJson) = Json(json);
        Assert.Equal(3, count);
        Assert.Equal(fromJson, fromProto);
        Assert.Equal("""{"stream":{"job":"varlogs","filename":"/var/log/x","level":"Info"},"line":"with \"metadata\"\n","metadata":{"trace_id":"0242ac120002","user_id":"superUser123"}}""", fromProto[1].Json);
        Assert.Equal(["varlogs", "varlogs", "web"], fromProto.Select(r => r.Service));
        Assert.Equal(["info", "info", "error"], fromProto.Select(r => r.Level));
        Assert.Equal("1570818238000000005", fromProto[1].TimestampText);
    }

    [Fact]
    public void Protobuf_labels_after_entries_and_unknown_fields_are_handled()
    {
        var stream = Len(1, Cat(
            Len(2, Cat(Str(2, "x"), Timestamp(3, 4), [.. Tag(9, 5), 1, 2, 3, 4], [.. Tag(10, 1), 1, 2, 3, 4, 5, 6, 7, 8], Len(4, Cat(Str(1, "p"), Str(2, "q"))))),
            VarintField(3, ulong.MaxValue),
            Str(1, """{service_name="late"}""")));
        var message = Cat(Str(2, "loki"), stream, VarintField(99, 7));
        var r = Assert.Single(Protobuf(message).Records);
        Assert.Equal("""{"stream":{"service_name":"late"},"line":"x"}""", r.Json);
        Assert.Equal("late", r.Service);
        Assert.Equal(3_000_000_004, r.EventNs);
    }

    [Fact]
    public void Protobuf_strings_are_escaped_into_valid_json()
    {
        var message = Stream("""{app="a\"b\\c\nd"}""", Entry(1, 0, "tab\there \u0001 \"q\" é", Pair("k\"", "v\\")));
        var r = Assert.Single(Protobuf(message).Records);
        using var doc = JsonDocument.Parse(r.Json);
        Assert.Equal("a\"b\\c\nd", doc.RootElement.GetProperty("stream").GetProperty("app").GetString());
        Assert.Equal("tab\there \u0001 \"q\" é", doc.RootElement.GetProperty("line").GetString());
        Assert.Equal("v\\", doc.RootElement.GetProperty("metadata").GetProperty("k\"").GetString());
        Assert.Equal("a\"b\\c\nd", r.Service);
    }

    [Fact]
    public void Protobuf_empty_push_gives_no_records()
    {
        Assert.Equal(0, Protobuf([]).Count);
        Assert.Equal(0, Protobuf(Stream("""{a="b"}""")).Count);
    }

    [Theory]
    [InlineData(-1, 0, "streams[0].entries[0].timestamp: before 1970")]
    [InlineData(1, -1, "streams[0].entries[0].timestamp: nanos")]
    [InlineData(1, 1_000_000_000, "streams[0].entries[0].timestamp: nanos")]
    [InlineData(9_223_372_037, 0, "streams[0].entries[0].timestamp: beyond")]
    public void Protobuf_timestamp_out_of_range_is_refused(long seconds, int nanos, string detailStart)
    {
        var e = ProtobufRefused(Stream("""{a="b"}""", Entry(seconds, nanos, "x")));
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.StartsWith(detailStart, e.Detail);
    }

    [Fact]
    public void Protobuf_line_of_invalid_utf8_is_refused()
    {
        var entry = Len(2, Cat(Timestamp(1, 0), Len(2, [0x61, 0xFF])));
        var e = ProtobufRefused(Len(1, Cat(Str(1, """{a="b"}"""), entry)));
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("streams[0].entries[0].line: invalid UTF-8", e.Detail);
    }

    [Fact]
    public void Protobuf_bad_labels_are_refused_naming_the_stream()
    {
        var e = ProtobufRefused(Cat(Stream("""{a="b"}"""), Stream("""{a="b\q"}""", Entry(1, 0, "x"))));
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.StartsWith("streams[1].labels: ", e.Detail);
    }

    public static TheoryData<string, byte[]> MalformedProtobuf => new()
    {
        { "truncated varint", [0x0A, 0x80] },
        { "truncated tag", [0x8A] },
        { "length beyond the buffer", [0x0A, 0x05, 0x0A, 0x01] },
        { "nested length beyond its message", [0x0A, 0x03, 0x0A, 0x05, 0x7B] },
        { "varint longer than 10 bytes", [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F] },
        { "field number zero", [0x00, 0x01] },
        { "group wire type", [0x0B] },
        { "streams as a varint", [0x08, 0x01] },
        { "truncated fixed64", [0x19, 1, 2, 3] },
        { "entry line as a varint", Len(1, Cat(Str(1, "{a=\"b\"}"), [0x12, 0x02, 0x10, 0x01])) },
        { "timestamp seconds as fixed64", Stream("{a=\"b\"}", Len(2, Cat([.. Tag(1, 2), 9, .. Tag(1, 1), 1, 2, 3, 4, 5, 6, 7, 8]))) },
    };

    [Theory]
    [MemberData(nameof(MalformedProtobuf))]
    public void Malformed_protobuf_is_refused_as_an_invalid_encoded_body(string what, byte[] message)
    {
        var e = ProtobufRefused(message);
        Assert.True(e.Reason == RejectReason.InvalidEncodedBody, what);
        Assert.StartsWith("invalid protobuf at byte ", e.Detail);
    }

    [Fact]
    public void Snappy_header_claiming_a_huge_length_is_refused_before_allocating()
    {
        // Preamble 0xFFFFFFFF (the largest a snappy block may declare), then a short literal.
        byte[] bomb = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x41];
        using var batch = new RecordBatch();
        using var scratch = new PooledBuffer(256);
        int capacity = scratch.Capacity;
        var e = Assert.Throws<RequestRejectedException>(() => LokiPushParser.ParseProtobuf(bomb, Received, "t"u8, batch, scratch, MaxDecoded));
        Assert.Equal(RejectReason.DecodedBodyTooLarge, e.Reason);
        Assert.Equal(capacity, scratch.Capacity);
    }

    [Fact]
    public void Snappy_block_over_max_decoded_bytes_is_refused()
    {
        var body = Snappy.CompressToArray(Stream("""{a="b"}""", Entry(1, 0, new string('x', 5000))));
        Assert.Equal(RejectReason.DecodedBodyTooLarge, SnappyRefused(body, maxDecoded: 4096).Reason);
    }

    [Fact]
    public void Snappy_header_claiming_more_than_the_block_can_hold_is_refused_before_allocating()
    {
        // 40 MB declared (under the limit) by a 7-byte block: no snappy block expands 22-fold.
        byte[] lie = [0x80, 0x80, 0x88, 0x13, 0x00, 0x00, 0x41];
        using var batch = new RecordBatch();
        using var scratch = new PooledBuffer(256);
        var e = Assert.Throws<RequestRejectedException>(() => LokiPushParser.ParseProtobuf(lie, Received, "t"u8, batch, scratch, MaxDecoded));
        Assert.Equal(RejectReason.InvalidEncodedBody, e.Reason);
        Assert.True(scratch.Capacity < 1024 * 1024);
    }

    [Fact]
    public void Most_compressible_snappy_block_is_accepted()
    {
        // A long run compresses to 3-byte copies of 64 bytes: the densest snappy can be.
        var line = new string('a', 1 << 20);
        var body = Snappy.CompressToArray(Stream("{a=\"b\"}", Entry(1, 0, line)));
        Assert.True(body.Length * 20 < line.Length, $"compressed to {body.Length} bytes");
        using var batch = new RecordBatch();
        using var scratch = new PooledBuffer(256);
        Assert.Equal(1, LokiPushParser.ParseProtobuf(body, Received, "t"u8, batch, scratch, MaxDecoded));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x80 })]
    [InlineData(new byte[] { 0x05, 0x08, 0x61 })]
    [InlineData(new byte[] { 0x04, 0x0C, 0x61, 0x62 })]
    public void Corrupt_snappy_is_refused_as_an_invalid_encoded_body(byte[] body)
    {
        Assert.Equal(RejectReason.InvalidEncodedBody, SnappyRefused(body).Reason);
    }

    [Fact]
    public void Warm_protobuf_parse_allocates_nothing_per_entry()
    {
        var streams = new List<byte[]>();
        for (int s = 0; s < 10; s++)
        {
            var entries = Enumerable.Range(0, 50).Select(v => Entry(1_700_000_000 + v, v, $"request {v} served \"ok\"\n", Pair("level", "WARN"))).ToArray();
            streams.Add(Stream($$"""{service_name="svc-{{s}}", env="prod"}""", entries));
        }
        var body = Snappy.CompressToArray(Cat([.. streams]));
        using var batch = new RecordBatch();
        using var scratch = new PooledBuffer(256);
        Assert.Equal(500, LokiPushParser.ParseProtobuf(body, Received, "t"u8, batch, scratch, MaxDecoded)); // warm up
        batch.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = LokiPushParser.ParseProtobuf(body, Received, "t"u8, batch, scratch, MaxDecoded);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, n);
        // Snappier allocates its small decompressor object once per call (80 bytes in 1.3.1); nothing per entry.
        Assert.True(allocated <= 128, $"allocated {allocated} bytes");
    }

    // ---- the label string of protobuf pushes ----

    [Theory]
    [InlineData("""{job="varlogs", filename="/var/log/x"}""", """{"job":"varlogs","filename":"/var/log/x"}""")]
    [InlineData("""{a="b"}""", """{"a":"b"}""")]
    [InlineData("""  { _a1 = "" ,B_="x" }  """, """{"_a1":"","B_":"x"}""")]
    [InlineData("""{q="say \"hi\""}""", """{"q":"say \"hi\""}""")]
    [InlineData("""{p="C:\\dir\\"}""", """{"p":"C:\\dir\\"}""")]
    [InlineData("""{m="l1\nl2\tt\r"}""", """{"m":"l1\nl2\tt\r"}""")]
    [InlineData("""{u="caf\u00e9 \U0001F600 \x41 \101"}""", """{"u":"café 😀 A A"}""")]
    [InlineData("""{raw=`a\nb"c`}""", """{"raw":"a\\nb\"c"}""")]
    [InlineData("""{ctl="\a\v"}""", """{"ctl":"\u0007\u000b"}""")]
    [InlineData("""{utf="ünï"}""", """{"utf":"ünï"}""")]
    public void Label_string_becomes_a_json_object(string labels, string json)
    {
        var builder = LokiRecordBuilder.Rent();
        try
        {
            Assert.Null(PrometheusLabels.TryWrite(U(labels), ref builder));
            Assert.Equal(json, S(builder.Labels));
        }
        finally
        {
            builder.Return();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("job=\"x\"")]
    [InlineData("{job=\"x\"")]
    [InlineData("{job=\"x\",}")]
    [InlineData("{job=\"x\" env=\"y\"}")]
    [InlineData("{job=x}")]
    [InlineData("{job=\"x}")]
    [InlineData("{job=~\"x\"}")]
    [InlineData("{job!=\"x\"}")]
    [InlineData("{1job=\"x\"}")]
    [InlineData("{job-name=\"x\"}")]
    [InlineData("{job=\"\\q\"}")]
    [InlineData("{job=\"\\x4\"}")]
    [InlineData("{job=\"\\uD800\"}")]
    [InlineData("{job=\"\\xff\"}")]
    [InlineData("{job=\"\\400\"}")]
    [InlineData("{job=\"a\nb\"}")]
    [InlineData("{job=\"x\"} extra")]
    public void Malformed_label_string_is_refused(string labels)
    {
        var builder = LokiRecordBuilder.Rent();
        try
        {
            Assert.NotNull(PrometheusLabels.TryWrite(U(labels), ref builder));
        }
        finally
        {
            builder.Return();
        }
    }
}
