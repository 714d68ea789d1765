using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Records;
using static Ingestd.Tests.Dialects.OtlpTestData;

namespace Ingestd.Tests.Dialects;

public class OtlpTracesTests
{
    private const string TraceId = "5b8efff798038103d269b633813fc60c";
    private const string SpanId = "eee19b7ec3c1b174";

    private static string OneSpan(string span)
        => $$$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{{{span}}}]}]}]}""";

    [Fact]
    public void Spec_example_trace_json_becomes_one_record()
    {
        var (result, records) = Json(OtlpSignal.Traces, TraceExample);
        Assert.Equal(new OtlpResult(1, 0, null), result);
        var r = Assert.Single(records);
        Assert.Equal(RecordKind.Trace, r.Kind);
        Assert.Equal(Dialect.Otlp, r.Dialect);
        Assert.Equal(1544712660000000000, r.EventNs);
        Assert.Equal("1544712660000000000", r.TimestampText);
        Assert.Equal("my.service", r.Service);
        Assert.Equal("", r.Level);
        Assert.Equal("""{"resource":{"service.name":"my.service"},"scope":{"name":"my.library","version":"1.0.0","attributes":{"my.scope.attribute":"some scope attribute"}},"span":{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173","name":"I'm a server span","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000","attributes":{"my.span.attr":"some value"}}}""",
            r.Json);
    }

    private const string FullSpanJson = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
          "scopeSpans":[{"scope":{"name":"otel.http"},"spans":[{
            "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173",
            "traceState":"vendor=1","flags":257,"name":"POST /pay","kind":3,
            "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000500000000",
            "attributes":[{"key":"http.status_code","value":{"intValue":"502"}}],
            "events":[{"timeUnixNano":"1700000000100000000","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"Timeout"}}]}],
            "links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","traceState":"x=y","flags":1,"attributes":[{"key":"why","value":{"stringValue":"retry"}}]}],
            "status":{"code":2,"message":"upstream failed"}}]}]}]}
        """;

    private static byte[] FullSpanProtobuf()
    {
        var span = new Pb()
            .Hex(1, TraceId).Hex(2, SpanId).String(3, "vendor=1").Hex(4, "eee19b7ec3c1b173")
            .String(5, "POST /pay").Int(6, 3)
            .Fixed64(7, 1700000000000000000).Fixed64(8, 1700000000500000000)
            .Message(9, Pb.Kv("http.status_code", Pb.I64(502)))
            .Message(11, new Pb().Fixed64(1, 1700000000100000000).String(2, "exception").Message(3, Pb.Kv("exception.type", Pb.Str("Timeout"))))
            .Message(13, new Pb().Hex(1, "0102030405060708090a0b0c0d0e0f10").Hex(2, "0102030405060708").String(3, "x=y")
                .Message(4, Pb.Kv("why", Pb.Str("retry"))).Fixed32(6, 1))
            .Message(15, new Pb().String(2, "upstream failed").Int(3, 2))
            .Fixed32(16, 257);
        return Pb.Request(Pb.Resource(Pb.Kv("service.name", Pb.Str("checkout"))), new Pb().String(1, "otel.http"), span);
    }

    [Fact]
    public void Span_with_events_links_and_status_is_rendered_in_full()
    {
        var (_, records) = Json(OtlpSignal.Traces, FullSpanJson);
        var r = Assert.Single(records);
        Assert.Equal("""{"resource":{"service.name":"checkout"},"scope":{"name":"otel.http"},"span":{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173","traceState":"vendor=1","flags":257,"name":"POST /pay","kind":3,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000500000000","attributes":{"http.status_code":502},"status":{"code":2,"message":"upstream failed"},"events":[{"timeUnixNano":"1700000000100000000","name":"exception","attributes":{"exception.type":"Timeout"}}],"links":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","traceState":"x=y","flags":1,"attributes":{"why":"retry"}}]}}""",
            r.Json);
    }

    [Fact]
    public void Protobuf_spans_make_the_same_record_as_json()
    {
        var (jsonResult, fromJson) = Json(OtlpSignal.Traces, FullSpanJson, tenant: "t");
        var (protoResult, fromProto) = Proto(OtlpSignal.Traces, FullSpanProtobuf(), tenant: "t");
        Assert.Equal(jsonResult, protoResult);
        Assert.Equal(fromJson, fromProto);
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(1, "")]
    [InlineData(2, "error")]
    public void Span_level_is_error_only_for_error_status(int code, string level)
    {
        var (_, records) = Json(OtlpSignal.Traces, OneSpan($$$"""{"traceId":"{{{TraceId}}}","spanId":"{{{SpanId}}}","status":{"code":{{{code}}}}}"""));
        Assert.Equal(level, Assert.Single(records).Level);
    }

    [Fact]
    public void Span_without_start_time_takes_the_receive_time()
    {
        var (_, records) = Json(OtlpSignal.Traces, OneSpan($$$"""{"traceId":"{{{TraceId}}}","spanId":"{{{SpanId}}}"}"""));
        Assert.Equal(Received, Assert.Single(records).EventNs);
        Assert.Equal("", records[0].TimestampText);
    }

    [Theory]
    [InlineData("""{"spanId":"eee19b7ec3c1b174"}""", "traceId must be 16 bytes (32 hex digits)")]
    [InlineData("""{"traceId":"5b8efff798038103d269b633813fc60c"}""", "spanId must be 8 bytes (16 hex digits)")]
    [InlineData("""{"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174"}""", "traceId must not be all zeroes")]
    [InlineData("""{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"ab"}""", "parentSpanId must be 8 bytes (16 hex digits)")]
    [InlineData("""{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","links":[{"traceId":"01","spanId":"0102030405060708"}]}""", "links.traceId must be 16 bytes (32 hex digits)")]
    [InlineData("""{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","kind":"SPAN_KIND_SERVER"}""", "kind must be an integer")]
    public void Invalid_span_is_rejected_and_its_neighbours_stored(string bad, string problem)
    {
        string good = $$$"""{"traceId":"{{{TraceId}}}","spanId":"{{{SpanId}}}"}""";
        var (result, records) = Json(OtlpSignal.Traces, OneSpan(good + "," + bad + "," + good));
        Assert.Equal(new OtlpResult(2, 1, $"span #2: {problem}"), result);
        Assert.Equal(2, records.Count);
    }

    [Fact]
    public void Protobuf_span_with_a_short_trace_id_is_rejected_and_counted()
    {
        var good = new Pb().Hex(1, TraceId).Hex(2, SpanId);
        var bad = new Pb().Hex(1, "5b8efff798038103").Hex(2, SpanId);
        var (result, records) = Proto(OtlpSignal.Traces, Pb.Request(null, null, bad, good));
        Assert.Equal(new OtlpResult(1, 1, "span #1: traceId must be 16 bytes (32 hex digits)"), result);
        Assert.Single(records);
    }

    [Fact]
    public void Records_of_several_resources_carry_their_own_service()
    {
        const string body = """
            {"resourceSpans":[
              {"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"a"}}]},"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}]}]},
              {"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175"}]}]}]}
            """;
        var (_, records) = Json(OtlpSignal.Traces, body);
        Assert.Equal(["a", ""], records.Select(r => r.Service));
        Assert.StartsWith("""{"span":""", records[1].Json);
    }
}
