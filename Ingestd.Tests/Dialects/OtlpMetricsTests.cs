using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Records;
using static Ingestd.Tests.Dialects.OtlpTestData;

namespace Ingestd.Tests.Dialects;

public class OtlpMetricsTests
{
    private const ulong T = 1700000000000000000;

    // The metrics below in OTLP JSON exactly as the protobuf path renders them (member order, 64-bit integers as strings).
    private static readonly string[] Rendered =
    [
        """{"name":"g","unit":"1","gauge":{"dataPoints":[{"attributes":[{"key":"k","value":{"stringValue":"v"}}],"timeUnixNano":"1700000000000000000","asInt":"-42"}]}}""",
        """{"name":"s","description":"d","sum":{"dataPoints":[{"startTimeUnixNano":"1699999999000000000","timeUnixNano":"1700000000000000000","asDouble":1.5,"exemplars":[{"filteredAttributes":[{"key":"user","value":{"intValue":"7"}}],"timeUnixNano":"1700000000000000001","asDouble":2.5,"spanId":"eee19b7ec3c1b174","traceId":"5b8efff798038103d269b633813fc60c"}]}],"aggregationTemporality":2,"isMonotonic":true}}""",
        """{"name":"h","histogram":{"dataPoints":[{"timeUnixNano":"1700000000000000000","count":"3","sum":6,"bucketCounts":["1","2","0"],"explicitBounds":[1,5],"min":1,"max":4}],"aggregationTemporality":1}}""",
        """{"name":"e","exponentialHistogram":{"dataPoints":[{"timeUnixNano":"1700000000000000000","count":"5","sum":10,"scale":-2,"zeroCount":"1","positive":{"offset":-1,"bucketCounts":["2","2"]},"zeroThreshold":0.5}],"aggregationTemporality":2}}""",
        """{"name":"sm","summary":{"dataPoints":[{"timeUnixNano":"1700000000000000000","count":"2","sum":3.5,"quantileValues":[{"quantile":0.5,"value":1},{"quantile":1,"value":2.5}]}]}}""",
    ];

    private static Pb[] ProtobufMetrics()
    {
        var gauge = new Pb().String(1, "g").String(3, "1").Message(5, new Pb()
            .Message(1, new Pb().Message(7, Pb.Kv("k", Pb.Str("v"))).Fixed64(3, T).Fixed64(6, unchecked((ulong)-42L))));
        var exemplar = new Pb().Message(7, Pb.Kv("user", Pb.I64(7))).Fixed64(2, T + 1).Double(3, 2.5)
            .Hex(4, "eee19b7ec3c1b174").Hex(5, "5b8efff798038103d269b633813fc60c");
        var sum = new Pb().String(1, "s").String(2, "d").Message(7, new Pb()
            .Message(1, new Pb().Fixed64(2, T - 1_000_000_000).Fixed64(3, T).Double(4, 1.5).Message(5, exemplar))
            .Int(2, 2).Varint(3, 1));
        // bucket_counts and explicit_bounds packed (the proto3 default), with the three counts unpacked-compatible.
        var packedCounts = new Pb().Raw(1, 0, 0, 0, 0, 0, 0, 0).Raw(2, 0, 0, 0, 0, 0, 0, 0).Raw(0, 0, 0, 0, 0, 0, 0, 0);
        var packedBounds = new Pb().Raw(BitConverter.GetBytes(1.0)).Raw(BitConverter.GetBytes(5.0));
        var histogram = new Pb().String(1, "h").Message(9, new Pb()
            .Message(1, new Pb().Fixed64(3, T).Fixed64(4, 3).Double(5, 6).Message(6, packedCounts).Message(7, packedBounds)
                .Double(11, 1).Double(12, 4))
            .Int(2, 1));
        var positive = new Pb().SInt(1, -1).Message(2, new Pb().Raw(2, 2));
        var exponential = new Pb().String(1, "e").Message(10, new Pb()
            .Message(1, new Pb().Fixed64(3, T).Fixed64(4, 5).Double(5, 10).SInt(6, -2).Fixed64(7, 1).Message(8, positive).Double(14, 0.5))
            .Int(2, 2));
        var summary = new Pb().String(1, "sm").Message(11, new Pb()
            .Message(1, new Pb().Fixed64(3, T).Fixed64(4, 2).Double(5, 3.5)
                .Message(6, new Pb().Double(1, 0.5).Double(2, 1)).Message(6, new Pb().Double(1, 1).Double(2, 2.5))));
        return [gauge, sum, histogram, exponential, summary];
    }

    private const string ResourceAndScope = """{"resource":{"service.name":"meter"},"scope":{"name":"m"},"metric":""";

    private static byte[] ProtobufRequest(params Pb[] metrics)
        => Pb.Request(Pb.Resource(Pb.Kv("service.name", Pb.Str("meter"))), new Pb().String(1, "m"), metrics);

    private static string JsonRequest(params string[] metrics)
        => """{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"meter"}}]},"scopeMetrics":[{"scope":{"name":"m"},"metrics":["""
            + string.Join(",", metrics) + "]}]}]}";

    [Fact]
    public void Spec_example_metrics_json_makes_one_record_per_metric()
    {
        var (result, records) = Json(OtlpSignal.Metrics, MetricsExample);
        Assert.Equal(new OtlpResult(3, 0, null), result);
        Assert.All(records, r =>
        {
            Assert.Equal(RecordKind.Metric, r.Kind);
            Assert.Equal("my.service", r.Service);
            Assert.Equal(1544712660300000000, r.EventNs);
            Assert.Equal("1544712660300000000", r.TimestampText);
            Assert.Equal("", r.Level);
        });
        Assert.Equal(["my.counter", "my.gauge", "my.histogram"],
            records.Select(r => System.Text.Json.JsonDocument.Parse(r.Json).RootElement.GetProperty("metric").GetProperty("name").GetString()));
    }

    [Fact]
    public void Json_metric_is_kept_as_sent_without_whitespace()
    {
        var (_, records) = Json(OtlpSignal.Metrics, MetricsExample);
        Assert.Equal("""{"resource":{"service.name":"my.service"},"scope":{"name":"my.library","version":"1.0.0","attributes":{"my.scope.attribute":"some scope attribute"}},"metric":{"name":"my.gauge","unit":"1","description":"I am a Gauge","gauge":{"dataPoints":[{"asDouble":10,"timeUnixNano":1544712660300000000,"attributes":[{"key":"my.gauge.attr","value":{"stringValue":"some value"}}]}]}}}""",
            records[1].Json);
    }

    [Fact]
    public void Protobuf_metrics_are_rendered_in_otlp_json_form()
    {
        var (result, records) = Proto(OtlpSignal.Metrics, ProtobufRequest(ProtobufMetrics()));
        Assert.Equal(new OtlpResult(5, 0, null), result);
        Assert.Equal(Rendered.Select(m => ResourceAndScope + m + "}"), records.Select(r => r.Json));
        Assert.All(records, r => Assert.Equal((long)T, r.EventNs));
    }

    [Fact]
    public void Protobuf_metrics_make_the_same_records_as_the_same_json()
    {
        var (_, fromProto) = Proto(OtlpSignal.Metrics, ProtobufRequest(ProtobufMetrics()));
        var (_, fromJson) = Json(OtlpSignal.Metrics, JsonRequest(Rendered));
        Assert.Equal(fromJson, fromProto);
    }

    [Fact]
    public void Unpacked_repeated_fields_read_like_packed_ones()
    {
        var histogram = new Pb().String(1, "h").Message(9, new Pb()
            .Message(1, new Pb().Fixed64(3, T).Fixed64(4, 3).Double(5, 6).Fixed64(6, 1).Fixed64(6, 2).Fixed64(6, 0)
                .Double(7, 1).Double(7, 5).Double(11, 1).Double(12, 4))
            .Int(2, 1));
        var (_, records) = Proto(OtlpSignal.Metrics, ProtobufRequest(histogram));
        Assert.Equal(ResourceAndScope + Rendered[2] + "}", Assert.Single(records).Json);
    }

    [Fact]
    public void Metric_without_data_points_takes_the_receive_time()
    {
        var (_, records) = Json(OtlpSignal.Metrics, JsonRequest("""{"name":"empty"}"""));
        Assert.Equal(Received, Assert.Single(records).EventNs);
        Assert.Equal("", records[0].TimestampText);
    }

    [Fact]
    public void Metric_without_a_name_is_rejected_counting_its_data_points()
    {
        const string nameless = """{"unit":"1","gauge":{"dataPoints":[{"asInt":"1"},{"asInt":"2"},{"asInt":"3"}]}}""";
        var (result, records) = Json(OtlpSignal.Metrics, JsonRequest(Rendered[0], nameless, Rendered[1]));
        Assert.Equal(new OtlpResult(2, 3, "metric #2: name is required"), result);
        Assert.Equal(2, records.Count);
    }

    [Fact]
    public void Protobuf_metric_without_a_name_is_rejected_counting_at_least_one()
    {
        var nameless = new Pb().String(3, "1");
        var (result, records) = Proto(OtlpSignal.Metrics, ProtobufRequest([nameless, .. ProtobufMetrics()]));
        Assert.Equal(new OtlpResult(5, 1, "metric #1: name is required"), result);
        Assert.Equal(5, records.Count);
    }

    [Fact]
    public void Protobuf_exemplar_with_a_bad_trace_id_rejects_its_metric()
    {
        var metric = new Pb().String(1, "g").Message(5, new Pb()
            .Message(1, new Pb().Fixed64(3, T).Double(4, 1).Message(5, new Pb().Hex(5, "0102"))));
        var (result, _) = Proto(OtlpSignal.Metrics, ProtobufRequest(metric));
        Assert.Equal(new OtlpResult(0, 1, "metric #1: exemplars.traceId must be 16 bytes (32 hex digits)"), result);
    }
}
