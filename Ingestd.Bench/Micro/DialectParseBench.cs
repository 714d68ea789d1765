using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Buffers;
using Ingestd.Parsing.Dialects.Air;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Dialects.Elastic;
using Ingestd.Parsing.Dialects.Guardian;
using Ingestd.Parsing.Dialects.Loki;
using Ingestd.Parsing.Dialects.Operyn;
using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Dialects.Splunk;
using Ingestd.Parsing.Dialects.Streams;
using Ingestd.Parsing.Records;

namespace Ingestd.Bench.Micro;

/// <summary>
/// Each dialect parser on the 500 reference events in that dialect's shape (see <see cref="DialectBodies"/>):
/// body → validated records in a <see cref="RecordBatch"/>. Per event (<c>OperationsPerInvoke = 500</c>);
/// bytes/s = the body size (<see cref="BodySizes"/>, also in the README) / (500 × Mean).
/// </summary>
[MemoryDiagnoser]
public class DialectParseBench
{
    private const int N = BenchData.Events;
    private const long ReceivedNs = 1_717_000_000_000_000_000;

    private readonly RecordBatch _batch = new();
    private readonly List<AirRejection> _airRejected = [];
    private readonly BulkItemList _bulkItems = new();
    private readonly PooledBuffer _snappyScratch = new(512 * 1024);

    private byte[] _drain = [], _guardianNdjson = [], _guardianText = [], _operyn = [], _air = [], _elastic = [],
        _lokiJson = [], _lokiProto = [], _otlpJson = [], _otlpProto = [], _hec = [];
    private byte[][] _streams = [];

    /// <summary>Body sizes in bytes, for converting per-event times into bytes/s.</summary>
    internal static IReadOnlyList<(string Dialect, int Bytes)> BodySizes(DialectParseBench b) =>
    [
        ("drain", b._drain.Length), ("streams (500 bodies)", b._streams.Sum(s => s.Length)), ("guardian ndjson", b._guardianNdjson.Length),
        ("guardian text", b._guardianText.Length), ("operyn batch", b._operyn.Length), ("air logs", b._air.Length),
        ("elastic bulk", b._elastic.Length), ("loki json", b._lokiJson.Length), ("loki protobuf+snappy", b._lokiProto.Length),
        ("otlp json", b._otlpJson.Length), ("otlp protobuf", b._otlpProto.Length), ("splunk hec", b._hec.Length),
    ];

    [GlobalSetup]
    public void Setup()
    {
        var events = ReferenceEvent.Load();
        _drain = BenchData.Drain500;
        _streams = DialectBodies.StreamsEvents(events);
        _guardianNdjson = DialectBodies.GuardianNdjson();
        _guardianText = DialectBodies.GuardianText(events);
        _operyn = DialectBodies.OperynBatch(events);
        _air = DialectBodies.AirLogs(events);
        _elastic = DialectBodies.ElasticBulk(events);
        _lokiJson = DialectBodies.LokiJson(events);
        _lokiProto = DialectBodies.LokiProtobufSnappy(events);
        _otlpJson = DialectBodies.OtlpJson(events);
        _otlpProto = DialectBodies.OtlpProtobuf(events);
        _hec = DialectBodies.HecEvents(events);

        // A body some parser refuses (or only half accepts) would measure the error path: check each once.
        Check(nameof(Drain), Drain);
        Check(nameof(StreamsEvent), StreamsEvent);
        Check(nameof(GuardianNdjson), GuardianNdjson);
        Check(nameof(GuardianText), GuardianText);
        Check(nameof(OperynBatch), OperynBatch);
        Check(nameof(AirEntries), AirEntries);
        Check(nameof(ElasticBulk), ElasticBulk);
        Check(nameof(LokiJson), LokiJson);
        Check(nameof(LokiProtobuf), LokiProtobuf);
        Check(nameof(OtlpJson), OtlpJson);
        Check(nameof(OtlpProtobuf), OtlpProtobuf);
        Check(nameof(SplunkHecEvents), SplunkHecEvents);
        if (_airRejected.Count != 0) throw new InvalidOperationException($"air rejected {_airRejected[0].Reason}");
        foreach (var (dialect, bytes) in BodySizes(this)) Console.WriteLine($"// body {dialect}: {bytes} bytes");
    }

    private void Check(string name, Func<int> parse)
    {
        parse();
        if (_batch.Count != N) throw new InvalidOperationException($"{name}: {_batch.Count} records instead of {N}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _bulkItems.Dispose();
        _snappyScratch.Dispose();
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int Drain()
    {
        _batch.Reset();
        return AstralogParser.Parse(_drain, ReceivedNs, default, _batch);
    }

    /// <summary>Streams takes one event per request: 500 bodies, one parse each.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int StreamsEvent()
    {
        _batch.Reset();
        foreach (var body in _streams) StreamEventParser.Parse(body, ReceivedNs, "org-xyz"u8, "stream-1"u8, _batch);
        return _batch.Count;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int GuardianNdjson()
    {
        _batch.Reset();
        return GuardianParser.Parse(_guardianNdjson, GuardianFormat.Ndjson, ReceivedNs, "default"u8, _batch);
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int GuardianText()
    {
        _batch.Reset();
        return GuardianParser.Parse(_guardianText, GuardianFormat.Text, ReceivedNs, "default"u8, _batch);
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int OperynBatch()
    {
        _batch.Reset();
        return OperynParser.ParseLogBatch(_operyn, ReceivedNs, "org-xyz"u8, _batch);
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int AirEntries()
    {
        _batch.Reset();
        _airRejected.Clear();
        return AirParser.Parse(_air, AirEntryType.Logs, ReceivedNs, "org-xyz"u8, _batch, _airRejected);
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int ElasticBulk()
    {
        _batch.Reset();
        _bulkItems.Reset();
        BulkParser.Parse(_elastic, "logs"u8, ReceivedNs, "org-xyz"u8, _batch, _bulkItems);
        return _batch.Count;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int LokiJson()
    {
        _batch.Reset();
        return LokiPushParser.ParseJson(_lokiJson, ReceivedNs, "org-xyz"u8, _batch);
    }

    /// <summary>Includes the snappy decompression, as the endpoint does it.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int LokiProtobuf()
    {
        _batch.Reset();
        return LokiPushParser.ParseProtobuf(_lokiProto, ReceivedNs, "org-xyz"u8, _batch, _snappyScratch, 64L << 20);
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int OtlpJson()
    {
        _batch.Reset();
        return OtlpParser.ParseJson(OtlpSignal.Logs, _otlpJson, ReceivedNs, "org-xyz"u8, _batch).Accepted;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int OtlpProtobuf()
    {
        _batch.Reset();
        return OtlpParser.ParseProtobuf(OtlpSignal.Logs, _otlpProto, ReceivedNs, "org-xyz"u8, _batch).Accepted;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int SplunkHecEvents()
    {
        _batch.Reset();
        return HecEventParser.Parse(_hec, ReceivedNs, "org-xyz"u8, HecDefaults.None, _batch);
    }
}
