using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;
using Ingestd.Storage;

namespace Ingestd.Bench.Micro;

/// <summary>Compressing and appending a block of 500 reference events to a segment (per event).</summary>
[MemoryDiagnoser]
public class SegmentAppendBench
{
    private readonly RecordBatch _batch = new();
    private string _dir = "";
    private SegmentLog? _log;

    [Params(1, 3)]
    public int Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        DrainParser.Parse(BenchData.Drain500, 1, default, _batch);
        _dir = Path.Combine(Path.GetTempPath(), "ingestd-bench-" + Guid.NewGuid().ToString("N"));
        _log = SegmentLog.Open(new SegmentLogOptions { Directory = _dir, SegmentMaxBytes = 64L << 20, RetentionMaxBytes = 256L << 20, CompressionLevel = Level }, _ => { });
    }

    [Benchmark(OperationsPerInvoke = 500)]
    public void Append() => _log!.Append(_batch.Bytes, _batch.Count, _batch.MinEventNs, _batch.MaxEventNs);

    [GlobalCleanup]
    public void Cleanup()
    {
        _log?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
