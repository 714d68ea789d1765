using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;

namespace Ingestd.Bench.Micro;

/// <summary>The /v1/drain body parser on the 500-event reference body (divide by 500 for per event).</summary>
[MemoryDiagnoser]
public class DrainParseBench
{
    private byte[] _body = [];
    private readonly RecordBatch _batch = new();

    [GlobalSetup]
    public void Setup() => _body = BenchData.Drain500;

    [Benchmark(OperationsPerInvoke = 500)]
    public int Parse500Events()
    {
        _batch.Reset();
        return DrainParser.Parse(_body, 1, default, _batch);
    }
}
