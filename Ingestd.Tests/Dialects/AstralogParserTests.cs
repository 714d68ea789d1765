using System.Text.Json;
using Ingestd.Bench.Micro;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;
using Ingestd.Parsing.Time;

namespace Ingestd.Tests.Dialects;

public class AstralogParserTests
{
    private const long Received = 1_717_000_000_000_000_000;

    private const string SeedBody = """
        {
        "events": [
        {
        "project_id": "org-xyz",
        "timestamp": "2024-05-31T15:30:45Z",
        "level": "info",
        "service": "api-gateway",
        "message": "User logged in",
        "metadata": { "user_id": 123, "ip": "1.1.1.1" }
        }
        ]
        }
        """;

    private static string Event(string members) => "{\"events\":[" + members + "]}";

    private const string Valid = """{"project_id":"p","timestamp":"2024-05-31T15:30:45Z","level":"info","service":"s","message":"m"}""";

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static List<Rec> Records(RecordBatch batch)
    {
        var list = new List<Rec>();
        var bytes = batch.Bytes;
        while (!bytes.IsEmpty)
        {
            Assert.True(RecordView.TryRead(bytes, out var view, out int length));
            list.Add(new Rec(view.ReceivedNs, view.EventNs, view.Dialect, view.Kind, S(view.Tenant), S(view.Level),
                S(view.Service), S(view.TimestampText), view.Json.ToArray()));
            bytes = bytes[length..];
        }
        return list;
    }

    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private sealed record Rec(long ReceivedNs, long EventNs, Dialect Dialect, RecordKind Kind, string Tenant, string Level,
        string Service, string TimestampText, byte[] Json);

    private static (int Count, List<Rec> Records) Parse(string body, string tenant = "")
    {
        using var batch = new RecordBatch();
        int n = AstralogParser.Parse(U(body), Received, U(tenant), batch);
        return (n, Records(batch));
    }

    private static RequestRejectedException Refused(string body, string tenant = "")
    {
        using var batch = new RecordBatch();
        return Assert.Throws<RequestRejectedException>(() => AstralogParser.Parse(U(body), Received, U(tenant), batch));
    }

    private static long Ns(string timestamp)
    {
        Assert.True(TimestampParser.TryParse(U(timestamp), out long ns));
        return ns;
    }

    [Fact]
    public void Seed_example_becomes_one_record()
    {
        var (count, records) = Parse(SeedBody);
        Assert.Equal(1, count);
        var r = Assert.Single(records);
        Assert.Equal(Received, r.ReceivedNs);
        Assert.Equal(Ns("2024-05-31T15:30:45Z"), r.EventNs);
        Assert.Equal(Dialect.Astralog, r.Dialect);
        Assert.Equal(RecordKind.Log, r.Kind);
        Assert.Equal("org-xyz", r.Tenant);
        Assert.Equal("info", r.Level);
        Assert.Equal("api-gateway", r.Service);
        Assert.Equal("2024-05-31T15:30:45Z", r.TimestampText);
        int start = SeedBody.IndexOf("{\n\"project_id\"", StringComparison.Ordinal);
        int end = SeedBody.IndexOf("\"1.1.1.1\" }\n}", StringComparison.Ordinal) + "\"1.1.1.1\" }\n}".Length;
        Assert.Equal(SeedBody[start..end], S(r.Json));
    }

    [Fact]
    public void Reference_body_of_500_events_is_kept_byte_for_byte()
    {
        var body = BenchData.Drain500;
        using var batch = new RecordBatch();
        Assert.Equal(500, AstralogParser.Parse(body, Received, ReadOnlySpan<byte>.Empty, batch));
        Assert.Equal(500, batch.Count);

        var records = Records(batch);
        using var doc = JsonDocument.Parse(body);
        var events = doc.RootElement.GetProperty("events");
        Assert.Equal(500, records.Count);
        int i = 0;
        foreach (var e in events.EnumerateArray())
        {
            var r = records[i++];
            Assert.Equal(U(e.GetRawText()), r.Json);
            Assert.Equal(e.GetProperty("project_id").GetString(), r.Tenant);
            Assert.Equal(e.GetProperty("level").GetString(), r.Level);
            Assert.Equal(e.GetProperty("service").GetString(), r.Service);
            Assert.Equal(e.GetProperty("timestamp").GetString(), r.TimestampText);
            Assert.Equal(Ns(r.TimestampText), r.EventNs);
        }
    }

    [Fact]
    public void Success_path_allocates_nothing()
    {
        var body = BenchData.Drain500;
        using var batch = new RecordBatch();
        AstralogParser.Parse(body, Received, "org-xyz"u8, batch); // warm up: JIT, buffer growth
        batch.Reset();
        AstralogParser.Parse(body, Received, ReadOnlySpan<byte>.Empty, batch);
        batch.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = AstralogParser.Parse(body, Received, ReadOnlySpan<byte>.Empty, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(500, n);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Empty_events_array_is_accepted()
    {
        Assert.Equal(0, Parse("""{"events":[]}""").Count);
    }

    [Fact]
    public void Other_top_level_members_are_ignored()
    {
        var (count, _) = Parse("""{"sdk":{"name":"x","v":[1,2]},"events":[""" + Valid + """],"batch_id":7}""");
        Assert.Equal(1, count);
    }

    [Fact]
    public void Escaped_strings_are_unescaped_in_the_envelope_and_kept_raw_in_the_json()
    {
        const string ev = """{"project_id":"org\u002Dxyz","timestamp":"2024-05-31T15:30:45\u005A","\u006Cevel":"warn\u00e9","service":"api\/gw","message":"line1\nline2 \"quoted\""}""";
        var r = Assert.Single(Parse(Event(ev)).Records);
        Assert.Equal("org-xyz", r.Tenant);
        Assert.Equal("warné", r.Level);
        Assert.Equal("api/gw", r.Service);
        Assert.Equal("2024-05-31T15:30:45\\u005A", r.TimestampText);
        Assert.Equal(Ns("2024-05-31T15:30:45Z"), r.EventNs);
        Assert.Equal(ev, S(r.Json));
    }

    [Fact]
    public void Escaped_project_id_is_compared_to_the_tenant_after_unescaping()
    {
        const string ev = """{"project_id":"org\u002Dxyz","timestamp":"2024-05-31","level":"info","service":"s","message":""}""";
        Assert.Equal(1, Parse(Event(ev), tenant: "org-xyz").Count);
    }

    [Theory]
    [InlineData("""{"user_id":123,"ip":"1.1.1.1"}""")]
    [InlineData("""{}""")]
    [InlineData("""{ "a" : [ 1, 2.50, -3e+10, true, false, null, "x" ] ,"b":{"c":{"d":[{"e":[]}]}}}""")]
    [InlineData("""{"unicode":"日本語 \ud83d\ude00 😀","esc":"\t\u0000\\","num":1.0E-7}""")]
    [InlineData("{\n  \"pretty\": {\n    \"x\": 1\n  }\n}")]
    public void Metadata_of_any_shape_is_preserved_byte_for_byte(string metadata)
    {
        string ev = """{"project_id":"p","timestamp":"2024-05-31T15:30:45Z","level":"info","service":"s","message":"m","metadata":""" + metadata + "}";
        var r = Assert.Single(Parse(Event(ev)).Records);
        Assert.Equal(U(ev), r.Json);
    }

    [Fact]
    public void Null_metadata_counts_as_absent()
    {
        Assert.Equal(1, Parse(Event(Valid.TrimEnd('}') + ""","metadata":null}""")).Count);
    }

    [Fact]
    public void Unknown_event_members_are_kept()
    {
        string ev = Valid.TrimEnd('}') + ""","trace_id":"abc","tags":["x",{"y":1}]}""";
        Assert.Equal(U(ev), Assert.Single(Parse(Event(ev)).Records).Json);
    }

    [Fact]
    public void Empty_message_is_accepted()
    {
        Assert.Equal(1, Parse(Event(Valid.Replace("\"message\":\"m\"", "\"message\":\"\""))).Count);
    }

    [Fact]
    public void Many_events_keep_their_order_and_timestamps()
    {
        var events = Enumerable.Range(0, 50).Select(i =>
            $$"""{"project_id":"p{{i}}","timestamp":"2024-05-31 15:30:{{i % 60:00}}","level":"info","service":"s","message":"{{i}}"}""");
        var (count, records) = Parse(Event(string.Join(",", events)));
        Assert.Equal(50, count);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal($"p{i}", records[i].Tenant);
            Assert.Equal(Ns($"2024-05-31T15:30:{i % 60:00}Z"), records[i].EventNs);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{\"events\":[")]
    [InlineData("{\"events\":[{\"project_id\":\"p\"")]
    [InlineData("{\"events\":[]")]
    [InlineData("{\"events\":[]} x")]
    [InlineData("{\"events\":[]}{}")]
    [InlineData("{\"events\":[],}")]
    [InlineData("{\"events\":[1,]}")]
    [InlineData("{'events':[]}")]
    [InlineData("{\"events\":[]} // comment")]
    public void Malformed_json_is_refused_as_invalid_json(string body)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.StartsWith("invalid JSON at byte ", e.Detail);
    }

    [Fact]
    public void Invalid_json_detail_gives_the_byte_offset()
    {
        var e = Refused("{\"events\":[x]}");
        Assert.StartsWith("invalid JSON at byte 11: ", e.Detail);
        Assert.DoesNotContain("LineNumber", e.Detail);
    }

    [Fact]
    public void Invalid_json_offset_counts_earlier_lines()
    {
        var e = Refused("{\n\"events\":\n[x]}");
        Assert.StartsWith("invalid JSON at byte 13: ", e.Detail);
    }

    [Fact]
    public void Syntax_error_after_a_content_error_is_reported_as_invalid_json()
    {
        var e = Refused(Event("""{"project_id":5}""") + "garbage");
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_refused()
    {
        byte[] body = [.. U("{\"events\":[{\"project_id\":\"p\",\"timestamp\":\"2024-05-31\",\"level\":\"info\",\"service\":\"s\",\"message\":\""), 0xC3, 0x28, .. U("\"}]}")];
        using var batch = new RecordBatch();
        var e = Assert.Throws<RequestRejectedException>(() => AstralogParser.Parse(body, Received, default, batch));
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
        Assert.Equal($"invalid JSON at byte {body.Length - 6}: invalid UTF-8", e.Detail);
    }

    [Fact]
    public void Lone_surrogate_escape_in_an_envelope_field_is_refused()
    {
        var e = Refused(Event(Valid.Replace("\"service\":\"s\"", "\"service\":\"\\uD800\"")));
        Assert.Equal(RejectReason.InvalidJson, e.Reason);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"event\":[]}")]
    [InlineData("{\"events\":{}}")]
    [InlineData("{\"events\":null}")]
    [InlineData("{\"events\":\"[]\"}")]
    [InlineData("[]")]
    [InlineData("[{\"events\":[]}]")]
    [InlineData("42")]
    public void Body_without_an_events_array_is_refused(string body)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("body: 'events' must be an array", e.Detail);
        Assert.Equal("events", e.Field);
        Assert.Equal(-1, e.EventIndex);
    }

    [Fact]
    public void Duplicate_events_member_is_refused()
    {
        var e = Refused("{\"events\":[],\"events\":[]}");
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("events", e.Field);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"text\"")]
    [InlineData("[]")]
    [InlineData("null")]
    public void Event_that_is_not_an_object_is_refused(string element)
    {
        var e = Refused(Event(Valid + "," + Valid + "," + Valid + "," + element));
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal("events[3]: must be an object", e.Detail);
        Assert.Equal(3, e.EventIndex);
        Assert.Null(e.Field);
    }

    public static TheoryData<string, string, string> EventErrors => new()
    {
        // member edit applied to a valid event, field, expected problem
        { "-project_id", "project_id", "required string missing" },
        { "-timestamp", "timestamp", "required string missing" },
        { "-level", "level", "required string missing" },
        { "-service", "service", "required string missing" },
        { "-message", "message", "required string missing" },
        { "project_id=5", "project_id", "must be a string" },
        { "timestamp=1717169445", "timestamp", "must be a string" },
        { "level=null", "level", "must be a string" },
        { "service={}", "service", "must be a string" },
        { "message=[]", "message", "must be a string" },
        { "project_id=\"\"", "project_id", "must be a non-empty string" },
        { "timestamp=\"\"", "timestamp", "must be a non-empty string" },
        { "level=\"\"", "level", "must be a non-empty string" },
        { "service=\"\"", "service", "must be a non-empty string" },
        { "timestamp=\"yesterday\"", "timestamp", "not an RFC 3339, ISO 8601 or SQL timestamp" },
        { "timestamp=\"2024-02-30T00:00:00Z\"", "timestamp", "not an RFC 3339, ISO 8601 or SQL timestamp" },
        { "metadata=\"x\"", "metadata", "must be an object" },
        { "metadata=[1]", "metadata", "must be an object" },
        { "metadata=3", "metadata", "must be an object" },
        { "+level=\"debug\"", "level", "duplicate member" },
        { "+project_id=\"q\"", "project_id", "duplicate member" },
        { "+message=\"again\"", "message", "duplicate member" },
        { "project_id=\"" + new string('p', 1025) + "\"", "project_id", "longer than 1024 bytes" },
        { "level=\"" + new string('l', 1025) + "\"", "level", "longer than 1024 bytes" },
        { "service=\"" + new string('s', 1025) + "\"", "service", "longer than 1024 bytes" },
        { "service=\"" + string.Concat(Enumerable.Repeat("\\u0073", 1025)) + "\"", "service", "longer than 1024 bytes" },
        { "timestamp=\"2024-05-31T15:30:45." + new string('1', 60) + "Z\"", "timestamp", "longer than 64 bytes" },
    };

    /// <summary>Builds a valid event with one member removed (<c>-name</c>), replaced (<c>name=json</c>) or added again (<c>+name=json</c>).</summary>
    private static string Edit(string edit)
    {
        var members = new List<string>
        {
            "\"project_id\":\"p\"", "\"timestamp\":\"2024-05-31T15:30:45Z\"", "\"level\":\"info\"", "\"service\":\"s\"", "\"message\":\"m\"",
        };
        if (edit[0] == '-')
        {
            members.RemoveAll(m => m.StartsWith($"\"{edit[1..]}\":", StringComparison.Ordinal));
        }
        else
        {
            bool add = edit[0] == '+';
            var text = add ? edit[1..] : edit;
            int eq = text.IndexOf('=');
            string name = text[..eq], member = $"\"{name}\":{text[(eq + 1)..]}";
            int at = members.FindIndex(m => m.StartsWith($"\"{name}\":", StringComparison.Ordinal));
            if (add || at < 0) members.Add(member);
            else members[at] = member;
        }
        return "{" + string.Join(",", members) + "}";
    }

    [Theory]
    [MemberData(nameof(EventErrors))]
    public void Invalid_event_is_refused_with_index_and_field(string edit, string field, string problem)
    {
        var e = Refused(Event(Valid + "," + Valid + "," + Valid + "," + Edit(edit) + "," + Valid));
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Equal($"events[3].{field}: {problem}", e.Detail);
        Assert.Equal(3, e.EventIndex);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Fields_at_their_length_limits_are_accepted()
    {
        string name = new('n', 1024);
        string ts = "2024-05-31T15:30:45." + new string('1', 43) + "Z";
        Assert.Equal(64, ts.Length);
        string ev = $$"""{"project_id":"{{name}}","timestamp":"{{ts}}","level":"{{name}}","service":"{{name}}","message":"m"}""";
        var r = Assert.Single(Parse(Event(ev)).Records);
        Assert.Equal(name, r.Tenant);
        Assert.Equal(ts, r.TimestampText);
    }

    [Fact]
    public void Events_matching_the_token_tenant_are_accepted()
    {
        var (count, records) = Parse(Event(Valid.Replace("\"p\"", "\"org-xyz\"") + "," + Valid.Replace("\"p\"", "\"org-xyz\"")), tenant: "org-xyz");
        Assert.Equal(2, count);
        Assert.All(records, r => Assert.Equal("org-xyz", r.Tenant));
    }

    [Fact]
    public void Event_of_another_tenant_is_forbidden()
    {
        string mine = Valid.Replace("\"p\"", "\"org-xyz\"");
        string theirs = Valid.Replace("\"p\"", "\"org-abc\"");
        var e = Refused(Event(mine + "," + mine + "," + mine + "," + theirs), tenant: "org-xyz");
        Assert.Equal(RejectReason.Forbidden, e.Reason);
        Assert.Equal("events[3].project_id: 'org-abc' is not the tenant of this token", e.Detail);
        Assert.Equal(3, e.EventIndex);
        Assert.Equal("project_id", e.Field);
    }

    [Fact]
    public void Open_mode_accepts_any_project_id()
    {
        var (count, records) = Parse(Event(Valid.Replace("\"p\"", "\"a\"") + "," + Valid.Replace("\"p\"", "\"b\"")));
        Assert.Equal(2, count);
        Assert.Equal(["a", "b"], records.Select(r => r.Tenant));
    }
}
