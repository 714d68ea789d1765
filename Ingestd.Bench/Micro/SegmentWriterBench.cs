using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Ingestd.Config;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;
using Ingestd.Ring;
using Ingestd.Storage;

namespace Ingestd.Bench.Micro;

/// <summary>
/// The whole writer path as a connection sees it, wired as <c>IngestServer</c> does: <see cref="IngestPipeline.PublishAsync"/>
/// of one 500-event batch into a 64 MiB <see cref="EventRing"/>, the <see cref="SegmentWriter"/> thread packing 1 MiB
/// blocks, zstd level 1, and <see cref="SegmentLog"/> appending to a segment in /tmp; each publish is awaited until
/// acknowledged per the durability mode (so <c>write</c> and <c>fsync</c> are one request's round trip; nothing else
/// shares the group commit). Per event. Cleanup prints the compression ratio: record bytes in ÷ bytes on disk.
/// </summary>
[MemoryDiagnoser]
public class SegmentWriterBench
{
    private readonly RecordBatch _batch = new();
    private readonly DurabilityWaiter _waiter = new();
    private string _dir = "";
    private SegmentLog _log = null!;
    private SegmentWriter _writer = null!;
    private IngestPipeline _pipeline = null!;
    private long _published;

    /// <summary>Records the segment log has taken so far (for the test that the benchmark does real work).</summary>
    internal long RecordsWritten => _log.NextSequence;

    /// <summary><c>storage.durability</c>: memory, write or fsync (a string: the enum is internal).</summary>
    [Params("memory", "write", "fsync")]
    public string Durability { get; set; } = "write";

    [GlobalSetup]
    public void Setup()
    {
        var durability = Durability switch
        {
            "memory" => Config.Durability.Memory,
            "write" => Config.Durability.Write,
            _ => Config.Durability.Fsync,
        };
        DrainParser.Parse(BenchData.Drain500, 1, default, _batch);
        _dir = Path.Combine(Path.GetTempPath(), "ingestd-bench-" + Guid.NewGuid().ToString("N"));
        // No retention: the ratio below needs every byte written still on disk. Defaults otherwise.
        var defaults = new StorageConfig();
        _log = SegmentLog.Open(new SegmentLogOptions
        {
            Directory = _dir,
            SegmentMaxBytes = defaults.SegmentMaxBytes,
            CompressionLevel = defaults.CompressionLevel,
        }, _ => { });
        var ring = new EventRing((int)defaults.RingBytes);
        _writer = new SegmentWriter(ring, _log, durability, defaults.BlockMaxBytes, new Metrics());
        _writer.Start();
        // A long backpressure wait: a full ring must slow the benchmark down, never turn into a 429.
        _pipeline = new IngestPipeline(ring, _writer, durability, TimeSpan.FromSeconds(60), defaults.BlockMaxBytes);
        _published = 0;
    }

    [Benchmark(OperationsPerInvoke = BenchData.Events)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask Publish()
    {
        // keepBatch: the daemon hands its batch bytes back to the pool after publishing; here the same
        // 500 events are published again and again (without it every call after the first was empty).
        var outcome = await _pipeline.PublishAsync(_batch, _waiter, keepBatch: true);
        if (outcome != PublishOutcome.Acknowledged) throw new InvalidOperationException("publish: " + outcome);
        _published++;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.StopAndDrain();
        long input = _published * _batch.ByteLength;
        long onDisk = _log.BytesOnDisk;
        Console.WriteLine($"// compression ratio ({Durability}): {input:N0} record bytes in {_published:N0} batches / {onDisk:N0} bytes on disk = {(double)input / onDisk:F2}");
        _writer.Dispose();
        _batch.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
