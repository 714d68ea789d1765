using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Ingest;
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
    private StorageStack _storage = null!;
    private IngestPipeline _pipeline = null!;
    private long _published;

    /// <summary>Records the segment log has taken so far (for the test that the benchmark does real work).</summary>
    internal long RecordsWritten => _storage.Log.NextSequence;

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
        AstralogParser.Parse(BenchData.Drain500, 1, default, _batch);
        _dir = Path.Combine(Path.GetTempPath(), "ingestd-bench-" + Guid.NewGuid().ToString("N"));
        // Defaults (no retention: the ratio below needs every byte written still on disk).
        var storage = new StorageConfig { Durability = durability };
        // A long backpressure wait: a full ring must slow the benchmark down, never turn into a 429.
        _storage = StorageStack.Open(storage, _dir, new Metrics(), _ => { }, backpressureWait: TimeSpan.FromSeconds(60));
        _pipeline = _storage.Pipeline;
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
        _storage.Stop();
        long input = _published * _batch.ByteLength;
        long onDisk = _storage.Log.BytesOnDisk;
        Console.WriteLine($"// compression ratio ({Durability}): {input:N0} record bytes in {_published:N0} batches / {onDisk:N0} bytes on disk = {(double)input / onDisk:F2}");
        _storage.Dispose();
        _batch.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
