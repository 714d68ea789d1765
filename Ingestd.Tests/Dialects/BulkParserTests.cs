using System.Buffers;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Elastic;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Dialects;

public class BulkParserTests
{
    private const long Received = 1_717_000_000_000_000_000;

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private sealed record Rec(long EventNs, Dialect Dialect, RecordKind Kind, string Tenant, string Level, string Service, string TimestampText, string Json);

    private sealed record Item(BulkAction Action, string? Index, string? Id, int Status, string? ErrorType, string? ErrorReason);

    private static (List<Rec> Records, List<Item> Items) Parse(string body, string defaultIndex = "")
    {
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        BulkParser.Parse(U(body), U(defaultIndex), Received, "t1"u8, batch, items);
        var records = new List<Rec>();
        var bytes = batch.Bytes;
        while (!bytes.IsEmpty)
        {
            Assert.True(RecordView.TryRead(bytes, out var v, out int length));
            records.Add(new Rec(v.EventNs, v.Dialect, v.Kind, S(v.Tenant), S(v.Level), S(v.Service), S(v.TimestampText), S(v.Json)));
            bytes = bytes[length..];
        }
        var list = new List<Item>();
        for (int i = 0; i < items.Count; i++)
        {
            var it = items[i];
            list.Add(new Item(it.Action, it.HasIndex ? S(items.Index(i)) : null, it.HasId ? S(items.Id(i)) : null, it.Status, it.ErrorType, it.ErrorReason));
        }
        return (records, list);
    }

    private static RequestRejectedException Refused(string body, string defaultIndex = "logs")
    {
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        return Assert.Throws<RequestRejectedException>(() => BulkParser.Parse(U(body), U(defaultIndex), Received, "t1"u8, batch, items));
    }

    private static long Ns(string timestamp)
    {
        Assert.True(TimestampParser.TryParse(U(timestamp), out long ns));
        return ns;
    }

    // ---- the documented request shape ----

    [Fact]
    public void Index_and_create_pairs_store_each_document_verbatim()
    {
        const string doc1 = """{ "field1" : "value1" }""";
        const string doc2 = """{ "field1" : "value3" }""";
        var (records, items) = Parse(
            """{ "index" : { "_index" : "test", "_id" : "1" } }""" + "\n" + doc1 + "\n" +
            """{ "create" : { "_index" : "test", "_id" : "3" } }""" + "\n" + doc2 + "\n");

        Assert.Equal([doc1, doc2], records.Select(r => r.Json));
        Assert.All(records, r =>
        {
            Assert.Equal(Dialect.Elastic, r.Dialect);
            Assert.Equal(RecordKind.Log, r.Kind);
            Assert.Equal("t1", r.Tenant);
            Assert.Equal("test", r.Service);
            Assert.Equal(Received, r.EventNs);
        });
        Assert.Equal(
            [new Item(BulkAction.Index, "test", "1", 201, null, null), new Item(BulkAction.Create, "test", "3", 201, null, null)],
            items);
    }

    [Fact]
    public void Default_index_from_the_url_applies_when_metadata_has_none()
    {
        var (records, items) = Parse("{\"index\":{}}\n{\"a\":1}\n{\"create\":{}}\n{\"a\":2}\n", defaultIndex: "movies");
        Assert.All(records, r => Assert.Equal("movies", r.Service));
        Assert.All(items, i => Assert.Equal("movies", i.Index));
    }

    [Fact]
    public void Index_in_metadata_overrides_the_default_index()
    {
        var (records, items) = Parse("{\"index\":{\"_index\":\"other\"}}\n{\"a\":1}\n{\"index\":{}}\n{\"a\":2}\n", defaultIndex: "movies");
        Assert.Equal(["other", "movies"], records.Select(r => r.Service));
        Assert.Equal(["other", "movies"], items.Select(i => i.Index));
    }

    [Fact]
    public void Missing_id_is_generated_as_20_base64url_characters()
    {
        var (_, items) = Parse("{\"index\":{}}\n{\"a\":1}\n{\"index\":{}}\n{\"a\":1}\n", "logs");
        Assert.All(items, i =>
        {
            Assert.Equal(20, i.Id!.Length);
            Assert.Matches("^[A-Za-z0-9_-]{20}$", i.Id);
        });
        Assert.NotEqual(items[0].Id, items[1].Id);
    }

    [Fact]
    public void Escaped_index_and_id_are_unescaped()
    {
        var (records, items) = Parse("{\"index\":{\"_index\":\"lo\\u0067s\",\"_id\":\"a\\\"b\"}}\n{\"a\":1}\n");
        Assert.Equal("logs", records[0].Service);
        Assert.Equal(new Item(BulkAction.Index, "logs", "a\"b", 201, null, null), items[0]);
    }

    [Fact]
    public void Other_metadata_and_blank_lines_are_ignored()
    {
        var (records, items) = Parse(
            "\n{\"create\":{\"_index\":\"logs\",\"routing\":\"r\",\"pipeline\":\"p\",\"require_alias\":true,\"dynamic_templates\":{\"a\":\"b\"}}}\r\n\n{\"a\":1}\r\n\n");
        Assert.Equal("{\"a\":1}", Assert.Single(records).Json);
        Assert.Equal(201, Assert.Single(items).Status);
    }

    // ---- unsupported actions: per-item errors, request still succeeds ----

    [Fact]
    public void Update_is_an_item_error_and_its_document_line_is_skipped()
    {
        var (records, items) = Parse(
            "{\"update\":{\"_id\":\"1\",\"_index\":\"test\"}}\n{\"doc\":{\"field2\":\"value2\"}}\n{\"index\":{\"_index\":\"test\"}}\n{\"a\":1}\n");
        Assert.Equal("{\"a\":1}", Assert.Single(records).Json);
        Assert.Equal(new Item(BulkAction.Update, "test", "1", 400, "action_request_validation_exception", "ingestd is append-only: update is not supported"), items[0]);
        Assert.Equal(201, items[1].Status);
    }

    [Fact]
    public void Delete_is_an_item_error_without_a_document_line()
    {
        var (records, items) = Parse("{\"delete\":{\"_index\":\"test\",\"_id\":\"2\"}}\n{\"create\":{\"_index\":\"test\",\"_id\":\"3\"}}\n{\"a\":1}\n");
        Assert.Equal("{\"a\":1}", Assert.Single(records).Json);
        Assert.Equal(new Item(BulkAction.Delete, "test", "2", 400, "action_request_validation_exception", "ingestd is append-only: delete is not supported"), items[0]);
        Assert.Equal(new Item(BulkAction.Create, "test", "3", 201, null, null), items[1]);
    }

    [Fact]
    public void Missing_index_is_an_item_error()
    {
        var (records, items) = Parse("{\"index\":{}}\n{\"a\":1}\n{\"index\":{\"_index\":\"x\"}}\n{\"a\":2}\n");
        Assert.Equal("{\"a\":2}", Assert.Single(records).Json);
        Assert.Equal(new Item(BulkAction.Index, null, null, 400, "action_request_validation_exception", "Validation Failed: 1: index is missing;"), items[0]);
        Assert.Equal(201, items[1].Status);
    }

    [Theory]
    [InlineData("Logs", "must be lowercase")]
    [InlineData("a/b", "must not contain")]
    [InlineData("_x", "must not start with")]
    public void Invalid_index_name_is_an_item_error(string index, string reason)
    {
        var (records, items) = Parse($"{{\"index\":{{\"_index\":\"{index}\"}}}}\n{{\"a\":1}}\n");
        Assert.Empty(records);
        Assert.Equal("invalid_index_name_exception", items[0].ErrorType);
        Assert.Contains(reason, items[0].ErrorReason);
    }

    [Fact]
    public void Id_longer_than_512_bytes_is_an_item_error()
    {
        var (records, items) = Parse($"{{\"index\":{{\"_index\":\"x\",\"_id\":\"{new string('i', 513)}\"}}}}\n{{\"a\":1}}\n");
        Assert.Empty(records);
        Assert.Contains("must be no longer than 512 bytes", items[0].ErrorReason);
    }

    [Fact]
    public void Index_without_a_document_line_is_an_item_error()
    {
        var (records, items) = Parse("{\"index\":{\"_index\":\"x\"}}\n");
        Assert.Empty(records);
        Assert.Equal("Validation Failed: 1: source is missing;", Assert.Single(items).ErrorReason);
    }

    // ---- documents ----

    [Theory]
    [InlineData("{\"a\":", "failed to parse")]
    [InlineData("[1,2]", "must start with an object")]
    [InlineData("\"text\"", "must start with an object")]
    [InlineData("{\"a\":1} {\"b\":2}", "failed to parse")]
    [InlineData("{'a':1}", "failed to parse")]
    public void Invalid_document_is_an_item_error_and_its_neighbours_are_stored(string document, string reason)
    {
        var (records, items) = Parse(
            "{\"index\":{\"_index\":\"x\",\"_id\":\"1\"}}\n{\"n\":1}\n" +
            "{\"index\":{\"_index\":\"x\",\"_id\":\"2\"}}\n" + document + "\n" +
            "{\"index\":{\"_index\":\"x\",\"_id\":\"3\"}}\n{\"n\":3}\n");
        Assert.Equal(["{\"n\":1}", "{\"n\":3}"], records.Select(r => r.Json));
        Assert.Equal([201, 400, 201], items.Select(i => i.Status));
        Assert.Equal("document_parsing_exception", items[1].ErrorType);
        Assert.Contains(reason, items[1].ErrorReason);
        Assert.Equal("2", items[1].Id);
    }

    [Fact]
    public void Document_with_invalid_utf8_is_an_item_error()
    {
        var body = U("{\"index\":{\"_index\":\"x\"}}\n{\"a\":\"").Concat(new byte[] { 0xC3, 0x28 }).Concat(U("\"}\n")).ToArray();
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        BulkParser.Parse(body, default, Received, "t1"u8, batch, items);
        Assert.Equal(0, batch.Count);
        Assert.Equal("document_parsing_exception", items[0].ErrorType);
    }

    [Theory]
    [InlineData("{\"@timestamp\":\"2024-05-31T15:30:45.123Z\"}", "2024-05-31T15:30:45.123Z")]
    [InlineData("{\"timestamp\":\"2024-05-31 15:30:45+02:00\"}", "2024-05-31 15:30:45+02:00")]
    [InlineData("{\"timestamp\":\"2020-01-01T00:00:00Z\",\"@timestamp\":\"2024-05-31T15:30:45Z\"}", "2024-05-31T15:30:45Z")]
    [InlineData("{\"@timestamp\":\"2024\\u002d05-31T15:30:45Z\"}", "2024-05-31T15:30:45Z")]
    public void Timestamp_string_is_parsed_preferring_atTimestamp(string document, string expected)
    {
        var r = Assert.Single(Parse("{\"index\":{\"_index\":\"x\"}}\n" + document + "\n").Records);
        Assert.Equal(expected, r.TimestampText);
        Assert.Equal(Ns(expected), r.EventNs);
    }

    [Theory]
    [InlineData("{\"@timestamp\":1717169445123}", "1717169445123")]
    [InlineData("{\"@timestamp\":\"1717169445123\"}", "1717169445123")]
    public void Timestamp_in_epoch_millis_is_accepted_as_number_or_digits(string document, string expectedText)
    {
        var r = Assert.Single(Parse("{\"index\":{\"_index\":\"x\"}}\n" + document + "\n").Records);
        Assert.Equal(expectedText, r.TimestampText);
        Assert.Equal(1_717_169_445_123_000_000, r.EventNs);
    }

    [Theory]
    [InlineData("{\"@timestamp\":\"yesterday\"}")]
    [InlineData("{\"@timestamp\":{\"a\":1}}")]
    [InlineData("{\"a\":1}")]
    public void Missing_or_unreadable_timestamp_takes_the_receive_time(string document)
    {
        var r = Assert.Single(Parse("{\"index\":{\"_index\":\"x\"}}\n" + document + "\n").Records);
        Assert.Equal(Received, r.EventNs);
    }

    [Theory]
    [InlineData("{\"log\":{\"level\":\"WARN\"},\"level\":\"info\"}", "warn")]
    [InlineData("{\"level\":\"info\",\"log.level\":\"error\"}", "error")]
    [InlineData("{\"level\":\"Debug\"}", "debug")]
    [InlineData("{\"log\":{\"logger\":\"x\"},\"level\":\"info\"}", "info")]
    [InlineData("{\"log\":\"text\",\"level\":true}", "")]
    [InlineData("{\"severity\":\"Warning\"}", "warning")]
    [InlineData("{\"severity\":\"error\",\"level\":\"info\"}", "info")]
    public void Level_comes_from_log_level_then_level_then_severity_lower_cased(string document, string expected)
    {
        var r = Assert.Single(Parse("{\"index\":{\"_index\":\"x\"}}\n" + document + "\n").Records);
        Assert.Equal(expected, r.Level);
    }

    [Theory]
    [InlineData("{\"level\":30}", "info")]
    [InlineData("{\"level\":50}", "error")]
    [InlineData("{\"log.level\":3}", "error")]
    [InlineData("{\"log\":{\"level\":4}}", "warn")]
    [InlineData("{\"severity\":6}", "info")]
    [InlineData("{\"level\":35}", "35")]
    public void Numeric_level_is_named_pino_or_syslog_and_severity_syslog(string document, string expected)
    {
        var r = Assert.Single(Parse("{\"index\":{\"_index\":\"x\"}}\n" + document + "\n").Records);
        Assert.Equal(expected, r.Level);
    }

    [Theory]
    [InlineData("{\"time\":1717169445123,\"level\":30,\"msg\":\"pino\"}", "1717169445123", 1_717_169_445_123_000_000)]
    [InlineData("{\"time\":\"2020-01-01T00:00:00Z\",\"@timestamp\":1717169445123}", "1717169445123", 1_717_169_445_123_000_000)]
    [InlineData("{\"time\":1717169445123,\"timestamp\":\"2024-05-31T15:30:45.123Z\"}", "2024-05-31T15:30:45.123Z", 1_717_169_445_123_000_000)]
    [InlineData("{\"@timestamp\":1717169445.5}", "1717169445.5", 1_717_169_445_500_000_000)]
    [InlineData("{\"@timestamp\":1717169445123456}", "1717169445123456", 1_717_169_445_123_456_000)]
    public void Time_comes_from_atTimestamp_then_timestamp_then_pinos_time_numbers_by_magnitude(string document, string text, long expected)
    {
        var r = Assert.Single(Parse("{\"index\":{\"_index\":\"x\"}}\n" + document + "\n").Records);
        Assert.Equal(text, r.TimestampText);
        Assert.Equal(expected, r.EventNs);
    }

    [Fact]
    public void Numeric_level_and_time_warm_parse_allocates_nothing()
    {
        var body = U(string.Concat(Enumerable.Range(0, 100).Select(i =>
            $"{{\"index\":{{\"_index\":\"pino\"}}}}\n{{\"level\":{10 * (i % 6 + 1)},\"time\":{1717169445123 + i},\"severity\":{i % 8},\"msg\":\"m{i}\"}}\n")));
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        for (int i = 0; i < 3; i++)
        {
            BulkParser.Parse(body, default, Received, "t1"u8, batch, items);
            batch.Reset();
            items.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        BulkParser.Parse(body, default, Received, "t1"u8, batch, items);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100, batch.Count);
        Assert.Equal(0, allocated);
    }

    // ---- whole-request refusals ----

    [Fact]
    public void Body_without_a_trailing_newline_is_refused()
    {
        var e = Refused("{\"index\":{}}\n{\"a\":1}");
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("The bulk request must be terminated by a newline [\\n]", e.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public void Empty_body_is_refused(string body)
        => Assert.Equal("Validation Failed: 1: no requests added;", Refused(body).Detail);

    [Theory]
    [InlineData("\"index\"\n", "Malformed action/metadata line [1], expected START_OBJECT but found [VALUE_STRING]")]
    [InlineData("{}\n", "Malformed action/metadata line [1], expected FIELD_NAME but found [END_OBJECT]")]
    [InlineData("{\"upsert\":{}}\n", "Malformed action/metadata line [1], expected field [create], [delete], [index] or [update] but found [upsert]")]
    [InlineData("{\"index\":\"x\"}\n", "Malformed action/metadata line [1], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]")]
    [InlineData("{\"index\":{}}\n{\"a\":1}\n\n{\"bogus\":{}}\n", "Malformed action/metadata line [4], expected field [create], [delete], [index] or [update] but found [bogus]")]
    public void Malformed_action_line_refuses_the_request(string body, string detail)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal(detail, e.Detail);
    }

    // Elasticsearch 8.x reads an action line up to the end of its metadata object and ignores the rest
    // (with a deprecation warning); winston-elasticsearch 0.19 sends {"index":{…},"attempts":0}.
    [Theory]
    [InlineData("{\"index\":{\"_index\":\"logs-winston\",\"pipeline\":null},\"attempts\":0}\n{\"a\":1}\n", ActionLineWarnings.MultipleKeys)]
    [InlineData("{\"index\":{\"_index\":\"logs-winston\"},\"create\":{\"_index\":\"other\"}}\n{\"a\":1}\n", ActionLineWarnings.MultipleKeys)]
    [InlineData("{\"index\":{\"_index\":\"logs-winston\"}} {\"x\":[1]}\n{\"a\":1}\n", ActionLineWarnings.TrailingData)]
    [InlineData("{\"index\":{\"_index\":\"logs-winston\"}} not json at all\n{\"a\":1}\n", ActionLineWarnings.TrailingData)]
    [InlineData("{\"index\":{\"_index\":\"logs-winston\"}\n{\"a\":1}\n", ActionLineWarnings.Unclosed)]
    [InlineData("{\"index\":{\"_index\":\"logs-winston\"}, not json\n{\"a\":1}\n", ActionLineWarnings.MultipleKeys)]
    public void Action_line_data_after_the_metadata_object_is_ignored_with_a_warning(string body, object warning)
    {
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        BulkParser.Parse(U(body), default, Received, "t1"u8, batch, items);

        Assert.Equal(1, items.Count);
        Assert.Equal(BulkAction.Index, items[0].Action);
        Assert.Equal(201, items[0].Status);
        Assert.Equal("logs-winston", S(items.Index(0)));
        Assert.Equal(1, batch.Count);
        Assert.Equal((ActionLineWarnings)warning, items.ActionLineWarnings);
    }

    [Fact]
    public void Well_formed_action_lines_raise_no_warning()
    {
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        BulkParser.Parse(U("{\"index\":{\"_index\":\"x\"}}\n{\"a\":1}\n{\"create\":{}}\n{\"b\":2}\n"), "x"u8, Received, "t1"u8, batch, items);
        Assert.Equal(ActionLineWarnings.None, items.ActionLineWarnings);
    }

    [Fact]
    public void Null_metadata_values_are_ignored()
    {
        var (records, items) = Parse("{\"index\":{\"_index\":null,\"_id\":null,\"pipeline\":null,\"routing\":null,\"version\":null}}\n{\"a\":1}\n", "logs");
        Assert.Single(records);
        var item = Assert.Single(items);
        Assert.Equal(201, item.Status);
        Assert.Equal("logs", item.Index);
        Assert.Equal(BulkParser.GeneratedIdLength, item.Id!.Length);
    }

    [Theory]
    [InlineData("{\"index\":\n")]
    [InlineData("not json\n")]
    [InlineData("{index:{}}\n")]
    public void Action_line_that_is_not_json_refuses_the_request(string body)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.StartsWith("Malformed action/metadata line [1]: ", e.Detail);
    }

    // ---- the response ----

    [Fact]
    public void Response_has_the_elasticsearch_shape()
    {
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        BulkParser.Parse(U(
            "{\"create\":{\"_index\":\"logs\",\"_id\":\"a\\\"1\"}}\n{\"m\":1}\n" +
            "{\"delete\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n" +
            "{\"index\":{}}\n{\"m\":3}\n"), default, Received, "t1"u8, batch, items);
        var output = new ArrayBufferWriter<byte>();
        BulkResponseWriter.Write(output, 7, items);

        using var doc = JsonDocument.Parse(output.WrittenMemory);
        var root = doc.RootElement;
        Assert.Equal(7, root.GetProperty("took").GetInt64());
        Assert.True(root.GetProperty("errors").GetBoolean());
        var list = root.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, list.Count);

        var created = list[0].GetProperty("create");
        Assert.Equal("logs", created.GetProperty("_index").GetString());
        Assert.Equal("a\"1", created.GetProperty("_id").GetString());
        Assert.Equal(1, created.GetProperty("_version").GetInt32());
        Assert.Equal("created", created.GetProperty("result").GetString());
        Assert.Equal(1, created.GetProperty("_shards").GetProperty("successful").GetInt32());
        Assert.Equal(0, created.GetProperty("_seq_no").GetInt64());
        Assert.Equal(1, created.GetProperty("_primary_term").GetInt64());
        Assert.Equal(201, created.GetProperty("status").GetInt32());

        var deleted = list[1].GetProperty("delete");
        Assert.Equal(400, deleted.GetProperty("status").GetInt32());
        Assert.Equal("2", deleted.GetProperty("_id").GetString());
        Assert.Equal("action_request_validation_exception", deleted.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("ingestd is append-only: delete is not supported", deleted.GetProperty("error").GetProperty("reason").GetString());

        var missing = list[2].GetProperty("index");
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("_index").ValueKind);
        Assert.Equal("Validation Failed: 1: index is missing;", missing.GetProperty("error").GetProperty("reason").GetString());
    }

    [Fact]
    public void Response_without_failures_says_errors_false()
    {
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        BulkParser.Parse(U("{\"index\":{}}\n{\"m\":1}\n"), "logs"u8, Received, "t1"u8, batch, items);
        var output = new ArrayBufferWriter<byte>();
        BulkResponseWriter.Write(output, 0, items);
        using var doc = JsonDocument.Parse(output.WrittenMemory);
        Assert.False(doc.RootElement.GetProperty("errors").GetBoolean());
        Assert.Equal(201, doc.RootElement.GetProperty("items")[0].GetProperty("index").GetProperty("status").GetInt32());
    }

    [Fact]
    public void Item_list_is_reusable_after_reset()
    {
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        BulkParser.Parse(U("{\"delete\":{\"_index\":\"a\",\"_id\":\"1\"}}\n"), default, Received, "t1"u8, batch, items);
        Assert.True(items.Errors);
        items.Reset();
        BulkParser.Parse(U("{\"index\":{\"_id\":\"2\"}}\n{}\n"), "b"u8, Received, "t1"u8, batch, items);
        Assert.False(items.Errors);
        Assert.Equal(1, items.Count);
        Assert.Equal("b", S(items.Index(0)));
        Assert.Equal("2", S(items.Id(0)));
    }

    // ---- allocation ----

    [Fact]
    public void Warm_parse_of_500_documents_and_response_allocate_nothing()
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 500; i++)
        {
            sb.Append(i % 2 == 0 ? "{\"index\":{\"_index\":\"logs-app\",\"_id\":\"" : "{\"create\":{\"_id\":\"").Append(i).Append("\"}}\n");
            sb.Append("{\"@timestamp\":\"2024-05-31T15:30:45.").Append(i % 1000).Append("Z\",\"log\":{\"level\":\"INFO\"},\"message\":\"hello \\\"world\\\"\",\"n\":").Append(i).Append("}\n");
        }
        sb.Append("{\"index\":{}}\n{\"timestamp\":1717169445123,\"level\":\"warn\"}\n");
        sb.Append("{\"delete\":{\"_id\":\"9\"}}\n");
        var body = U(sb.ToString());
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        var output = new ArrayBufferWriter<byte>(256 * 1024);
        for (int i = 0; i < 3; i++)
        {
            BulkParser.Parse(body, "logs-app"u8, Received, "t1"u8, batch, items);
            BulkResponseWriter.Write(output, 1, items);
            batch.Reset();
            items.Reset();
            output.ResetWrittenCount();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        BulkParser.Parse(body, "logs-app"u8, Received, "t1"u8, batch, items);
        BulkResponseWriter.Write(output, 1, items);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(501, batch.Count);
        Assert.Equal(502, items.Count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Warm_parse_of_improper_action_lines_and_a_7_compatible_response_allocate_nothing()
    {
        // What winston-elasticsearch sends, plus the other forms Elasticsearch 8.x tolerates.
        string[] actions =
        [
            "{\"index\":{\"_index\":\"logs-winston\",\"pipeline\":null},\"attempts\":0}",
            "{\"index\":{\"_index\":\"logs-winston\"}} {\"x\":1}",
            "{\"index\":{\"_index\":\"logs-winston\"}",
        ];
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 300; i++)
            sb.Append(actions[i % 3]).Append('\n').Append("{\"@timestamp\":\"2025-03-10T09:00:00.000Z\",\"message\":\"m\",\"level\":\"info\",\"n\":").Append(i).Append("}\n");
        var body = U(sb.ToString());
        using var batch = new RecordBatch();
        using var items = new BulkItemList();
        var output = new ArrayBufferWriter<byte>(256 * 1024);
        for (int i = 0; i < 3; i++)
        {
            BulkParser.Parse(body, default, Received, "t1"u8, batch, items);
            BulkResponseWriter.Write(output, 1, items, v7Compatible: true);
            batch.Reset();
            items.Reset();
            output.ResetWrittenCount();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        BulkParser.Parse(body, default, Received, "t1"u8, batch, items);
        BulkResponseWriter.Write(output, 1, items, v7Compatible: true);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(300, batch.Count);
        Assert.Equal(ActionLineWarnings.MultipleKeys | ActionLineWarnings.TrailingData | ActionLineWarnings.Unclosed, items.ActionLineWarnings);
        Assert.Equal(0, allocated);
    }
}
