using System.Text.Json;
using Ingestd.Parsing.Dialects.Gelf;
using Ingestd.Parsing.Errors;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.Dialects;

public class GelfParserTests
{
    private const long Received = 1_717_000_000_000_000_000;

    private static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);
    private static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    private sealed record Rec(long EventNs, Dialect Dialect, string Tenant, string Level, string Service, string TimestampText, string Json);

    private static Rec One(string body)
    {
        using var batch = new RecordBatch();
        GelfParser.Parse(U(body), Received, "t1"u8, batch);
        Assert.Equal(1, batch.Count);
        Assert.True(RecordView.TryRead(batch.Bytes, out var v, out _));
        return new Rec(v.EventNs, v.Dialect, S(v.Tenant), S(v.Level), S(v.Service), S(v.TimestampText), S(v.Json));
    }

    private static RequestRejectedException Refused(string body)
    {
        using var batch = new RecordBatch();
        return Assert.Throws<RequestRejectedException>(() => GelfParser.Parse(U(body), Received, "t1"u8, batch));
    }

    [Fact]
    public void Message_is_stored_as_sent_with_level_service_and_time_from_its_fields()
    {
        const string message = """{"version":"1.1","host":"web-1","short_message":"disk full","full_message":"disk /var is full","timestamp":1385053862.3072,"level":3,"_service":"billing","_user_id":9001}""";
        var r = One(message + "\n");
        Assert.Equal(Dialect.Gelf, r.Dialect);
        Assert.Equal("t1", r.Tenant);
        Assert.Equal("error", r.Level);
        Assert.Equal("billing", r.Service);
        Assert.Equal(1_385_053_862_307_200_000, r.EventNs);
        Assert.Equal("1385053862.3072", r.TimestampText);
        Assert.Equal(message, r.Json);
    }

    [Theory]
    [InlineData(0, "fatal")]
    [InlineData(2, "fatal")]
    [InlineData(3, "error")]
    [InlineData(4, "warn")]
    [InlineData(5, "info")]
    [InlineData(6, "info")]
    [InlineData(7, "debug")]
    public void Level_is_a_syslog_severity(int severity, string level)
        => Assert.Equal(level, One($$"""{"host":"h","short_message":"m","level":{{severity}}}""").Level);

    [Fact]
    public void Message_without_timestamp_takes_the_receive_time()
        => Assert.Equal(Received, One("""{"host":"h","short_message":"m"}""").EventNs);

    [Fact]
    public void Escaped_service_is_unescaped()
        => Assert.Equal("a/b", One("""{"host":"h","short_message":"m","_service":"a\/b"}""").Service);

    [Theory]
    [InlineData("""{"host":"h"}""", "short_message is required")]
    [InlineData("""{"host":"h","short_message":""}""", "short_message must be a non-empty string")]
    [InlineData("""{"short_message":"m"}""", "host is required")]
    [InlineData("""{"host":"h","short_message":"m","level":8}""", "level must be a syslog severity")]
    [InlineData("""{"host":"h","short_message":"m","level":"info"}""", "level must be a syslog severity")]
    [InlineData("""{"host":"h","short_message":"m","timestamp":"yesterday"}""", "timestamp must be epoch seconds")]
    [InlineData("""{"host":"h","short_message":"m","_id":"x"}""", "_id is not allowed")]
    [InlineData("""{"host":"h","short_message":"m"}{"host":"h","short_message":"n"}""", "one GELF message per request")]
    [InlineData("""[{"host":"h","short_message":"m"}]""", "one GELF JSON object")]
    public void Message_gelf_does_not_allow_is_refused_saying_why(string body, string detail)
    {
        var e = Refused(body);
        Assert.Equal(RejectReason.InvalidEvent, e.Reason);
        Assert.Contains(detail, e.Detail);
    }

    [Fact]
    public void Broken_json_is_refused_as_invalid_json()
        => Assert.Equal(RejectReason.InvalidJson, Refused("""{"host":"h","short_message":"m" """).Reason);

    [Fact]
    public void Warm_parse_allocates_nothing()
    {
        var body = U("""{"version":"1.1","host":"web-1","short_message":"hello \"world\"","timestamp":1385053862.3072,"level":6,"_service":"svc\/x","_n":1}""");
        using var batch = new RecordBatch();
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 100; j++) GelfParser.Parse(body, Received, "t1"u8, batch);
            batch.Reset();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) GelfParser.Parse(body, Received, "t1"u8, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(100, batch.Count);
        Assert.Equal(0, allocated);
    }
}
