using System.Buffers.Binary;
using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Records;

namespace Ingestd.Tests.Dialects;

/// <summary>A test-only protobuf encoder: fields are appended in call order, so tests control the wire layout.</summary>
internal sealed class Pb
{
    private readonly List<byte> _bytes = [];

    public Pb Varint(int field, ulong value) => Tag(field, 0).Raw(VarintBytes(value));
    public Pb Int(int field, long value) => Varint(field, (ulong)value);
    public Pb SInt(int field, long value) => Varint(field, (ulong)((value << 1) ^ (value >> 63)));
    public Pb Fixed64(int field, ulong value) => Tag(field, 1).Raw(LittleEndian64(value));
    public Pb Double(int field, double value) => Fixed64(field, (ulong)BitConverter.DoubleToInt64Bits(value));
    public Pb Fixed32(int field, uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Tag(field, 5).Raw(b);
    }
    public Pb Bytes(int field, byte[] value) => Tag(field, 2).Raw(VarintBytes((ulong)value.Length)).Raw(value);
    public Pb String(int field, string value) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(value));
    public Pb Message(int field, Pb message) => Bytes(field, message.ToArray());
    public Pb Hex(int field, string hex) => Bytes(field, Convert.FromHexString(hex));

    public Pb Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    private Pb Tag(int field, int wire) => Raw(VarintBytes((ulong)field << 3 | (uint)wire));

    public static byte[] VarintBytes(ulong value)
    {
        var list = new List<byte>();
        while (value >= 0x80)
        {
            list.Add((byte)(value | 0x80));
            value >>= 7;
        }
        list.Add((byte)value);
        return [.. list];
    }

    private static byte[] LittleEndian64(ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return b;
    }

    // ---- common.proto helpers ----

    public static Pb Str(string s) => new Pb().String(1, s);                       // AnyValue.string_value
    public static Pb Bool(bool b) => new Pb().Varint(2, b ? 1UL : 0UL);            // AnyValue.bool_value
    public static Pb I64(long i) => new Pb().Int(3, i);                            // AnyValue.int_value
    public static Pb F64(double d) => new Pb().Double(4, d);                       // AnyValue.double_value
    public static Pb Array(params Pb[] values)                                     // AnyValue.array_value
    {
        var array = new Pb();
        foreach (var v in values) array.Message(1, v);
        return new Pb().Message(5, array);
    }
    public static Pb KvList(params Pb[] keyValues)                                 // AnyValue.kvlist_value
    {
        var list = new Pb();
        foreach (var kv in keyValues) list.Message(1, kv);
        return new Pb().Message(6, list);
    }
    public static Pb BytesValue(byte[] b) => new Pb().Bytes(7, b);                 // AnyValue.bytes_value
    public static Pb Kv(string key, Pb value) => new Pb().String(1, key).Message(2, value);

    /// <summary>Resource { repeated KeyValue attributes = 1; }</summary>
    public static Pb Resource(params Pb[] attributes)
    {
        var r = new Pb();
        foreach (var a in attributes) r.Message(1, a);
        return r;
    }

    /// <summary>InstrumentationScope { name = 1; version = 2; attributes = 3; }</summary>
    public static Pb Scope(string name, string version, params Pb[] attributes)
    {
        var s = new Pb().String(1, name).String(2, version);
        foreach (var a in attributes) s.Message(3, a);
        return s;
    }

    /// <summary>Export*ServiceRequest { Resource* = 1 { resource = 1; Scope* = 2 { scope = 1; items = 2 } } } with one resource and scope.</summary>
    public static byte[] Request(Pb? resource, Pb? scope, params Pb[] items)
    {
        var scoped = new Pb();
        if (scope != null) scoped.Message(1, scope);
        foreach (var item in items) scoped.Message(2, item);
        var resourceItems = new Pb();
        if (resource != null) resourceItems.Message(1, resource);
        resourceItems.Message(2, scoped);
        return new Pb().Message(1, resourceItems).ToArray();
    }
}

internal static class OtlpTestData
{
    public const long Received = 1_717_000_000_000_000_000;

    public sealed record Rec(long ReceivedNs, long EventNs, Dialect Dialect, RecordKind Kind, string Tenant, string Level,
        string Service, string TimestampText, string Json);

    public static byte[] U(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlySpan<byte> b) => System.Text.Encoding.UTF8.GetString(b);

    public static List<Rec> Records(RecordBatch batch)
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

    public static (OtlpResult Result, List<Rec> Records) Json(OtlpSignal signal, string body, string tenant = "")
    {
        using var batch = new RecordBatch();
        var result = OtlpParser.ParseJson(signal, U(body), Received, U(tenant), batch);
        var records = Records(batch);
        Assert.Equal(result.Accepted, records.Count);
        return (result, records);
    }

    public static (OtlpResult Result, List<Rec> Records) Proto(OtlpSignal signal, byte[] body, string tenant = "")
    {
        using var batch = new RecordBatch();
        var result = OtlpParser.ParseProtobuf(signal, body, Received, U(tenant), batch);
        var records = Records(batch);
        Assert.Equal(result.Accepted, records.Count);
        return (result, records);
    }

    // The examples of opentelemetry-proto (examples/logs.json, trace.json, metrics.json).

    public const string LogsExample = """
        {
          "resourceLogs": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "my.service" } }
                ]
              },
              "scopeLogs": [
                {
                  "scope": {
                    "name": "my.library",
                    "version": "1.0.0",
                    "attributes": [
                      { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                    ]
                  },
                  "logRecords": [
                    {
                      "timeUnixNano": 1544712660300000000,
                      "observedTimeUnixNano": 1544712660300000000,
                      "severityText": "Information",
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "EEE19B7EC3C1B174",
                      "body": { "stringValue": "Example log record" },
                      "attributes": [
                        { "key": "string.attribute", "value": { "stringValue": "some string" } },
                        { "key": "boolean.attribute", "value": { "boolValue": true } },
                        { "key": "int.attribute", "value": { "intValue": 10 } },
                        { "key": "double.attribute", "value": { "doubleValue": 637.704 } },
                        { "key": "array.attribute", "value": { "arrayValue": { "values": [ { "stringValue": "many" }, { "stringValue": "values" } ] } } },
                        { "key": "map.attribute", "value": { "kvlistValue": { "values": [ { "key": "some.map.key", "value": { "stringValue": "some value" } } ] } } }
                      ]
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    /// <summary>The same data as <see cref="LogsExample"/> in binary protobuf.</summary>
    public static byte[] LogsExampleProtobuf()
    {
        var record = new Pb()
            .Fixed64(1, 1544712660300000000)                 // time_unix_nano
            .Fixed64(11, 1544712660300000000)                // observed_time_unix_nano
            .String(3, "Information")                        // severity_text
            .Message(5, Pb.Str("Example log record"))        // body
            .Message(6, Pb.Kv("string.attribute", Pb.Str("some string")))
            .Message(6, Pb.Kv("boolean.attribute", Pb.Bool(true)))
            .Message(6, Pb.Kv("int.attribute", Pb.I64(10)))
            .Message(6, Pb.Kv("double.attribute", Pb.F64(637.704)))
            .Message(6, Pb.Kv("array.attribute", Pb.Array(Pb.Str("many"), Pb.Str("values"))))
            .Message(6, Pb.Kv("map.attribute", Pb.KvList(Pb.Kv("some.map.key", Pb.Str("some value")))))
            .Hex(9, "5B8EFFF798038103D269B633813FC60C")       // trace_id
            .Hex(10, "EEE19B7EC3C1B174");                    // span_id
        return Pb.Request(
            Pb.Resource(Pb.Kv("service.name", Pb.Str("my.service"))),
            Pb.Scope("my.library", "1.0.0", Pb.Kv("my.scope.attribute", Pb.Str("some scope attribute"))),
            record);
    }

    public const string TraceExample = """
        {
          "resourceSpans": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "my.service" } }
                ]
              },
              "scopeSpans": [
                {
                  "scope": {
                    "name": "my.library",
                    "version": "1.0.0",
                    "attributes": [
                      { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                    ]
                  },
                  "spans": [
                    {
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "EEE19B7EC3C1B174",
                      "parentSpanId": "EEE19B7EC3C1B173",
                      "name": "I'm a server span",
                      "startTimeUnixNano": 1544712660000000000,
                      "endTimeUnixNano": 1544712661000000000,
                      "kind": 2,
                      "attributes": [
                        { "key": "my.span.attr", "value": { "stringValue": "some value" } }
                      ]
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    public const string MetricsExample = """
        {
          "resourceMetrics": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "my.service" } }
                ]
              },
              "scopeMetrics": [
                {
                  "scope": {
                    "name": "my.library",
                    "version": "1.0.0",
                    "attributes": [
                      { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                    ]
                  },
                  "metrics": [
                    {
                      "name": "my.counter",
                      "unit": "1",
                      "description": "I am a Counter",
                      "sum": {
                        "aggregationTemporality": 1,
                        "isMonotonic": true,
                        "dataPoints": [
                          {
                            "asDouble": 5,
                            "startTimeUnixNano": 1544712660300000000,
                            "timeUnixNano": 1544712660300000000,
                            "attributes": [ { "key": "my.counter.attr", "value": { "stringValue": "some value" } } ]
                          }
                        ]
                      }
                    },
                    {
                      "name": "my.gauge",
                      "unit": "1",
                      "description": "I am a Gauge",
                      "gauge": {
                        "dataPoints": [
                          {
                            "asDouble": 10,
                            "timeUnixNano": 1544712660300000000,
                            "attributes": [ { "key": "my.gauge.attr", "value": { "stringValue": "some value" } } ]
                          }
                        ]
                      }
                    },
                    {
                      "name": "my.histogram",
                      "unit": "1",
                      "description": "I am a Histogram",
                      "histogram": {
                        "aggregationTemporality": 1,
                        "dataPoints": [
                          {
                            "startTimeUnixNano": 1544712660300000000,
                            "timeUnixNano": 1544712660300000000,
                            "count": 3,
                            "sum": 3,
                            "bucketCounts": [1,1,1],
                            "explicitBounds": [1],
                            "min": 1,
                            "max": 1,
                            "attributes": [ { "key": "my.histogram.attr", "value": { "stringValue": "some value" } } ]
                          }
                        ]
                      }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;
}
