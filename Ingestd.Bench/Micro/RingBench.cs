using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;
using Ingestd.Ring;

namespace Ingestd.Bench.Micro;

/// <summary>Publishing one 500-event batch into the ring and consuming it (per event).</summary>
[MemoryDiagnoser]
public class RingBench
{
    private readonly EventRing _ring = new(64 * 1024 * 1024);
    private readonly RecordBatch _batch = new();

    [GlobalSetup]
    public void Setup() => DrainParser.Parse(BenchData.Drain500, 1, default, _batch);

    [Benchmark(OperationsPerInvoke = 500)]
    public long PublishAndConsume()
    {
        _ring.TryPublish(_batch.Bytes, _batch.Count, _batch.MinEventNs, _batch.MaxEventNs, out long end);
        _ring.TryRead(out var records, out _, out _, out _, out _);
        _ring.Release();
        return end + records.Length;
    }
}
