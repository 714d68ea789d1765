using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Ring;
using Ingestd.Storage;

namespace Ingestd.Ingest;

/// <summary>
/// The ring, the segment log, the writer thread between them and the pipeline connections publish through, wired
/// from the <c>[storage]</c> config in one place: the daemon, the benchmark hosts and the tests all open it here, so
/// the ring rounding, the block cap and the fault options cannot drift apart.
/// </summary>
internal sealed class StorageStack : IDisposable
{
    /// <summary>The writer's block buffer is allocated up front: blocks above this are capped (config allows more).</summary>
    public const int MaxBlockBytes = 64 * 1024 * 1024;

    private StorageStack(SegmentLog log, EventRing ring, SegmentWriter writer, IngestPipeline pipeline)
    {
        Log = log;
        Ring = ring;
        Writer = writer;
        Pipeline = pipeline;
    }

    public SegmentLog Log { get; }
    public EventRing Ring { get; }
    public SegmentWriter Writer { get; }
    public IngestPipeline Pipeline { get; }

    /// <summary>
    /// Opens the segment log in <paramref name="dataDir"/> (recovering its newest segment), builds the ring and the
    /// writer, and starts the writer thread.
    /// </summary>
    /// <param name="warn">Where recovery and retention report (the daemon's log).</param>
    /// <param name="backpressureWait">Overrides <c>backpressure_wait</c> (the micro-benchmark waits long instead of answering 429).</param>
    public static StorageStack Open(StorageConfig storage, string dataDir, Metrics metrics, Action<string> warn,
        TimeSpan? backpressureWait = null)
    {
        var log = SegmentLog.Open(new SegmentLogOptions
        {
            Directory = dataDir,
            SegmentMaxBytes = storage.SegmentMaxBytes,
            SegmentMaxAge = storage.SegmentMaxAge,
            RetentionMaxBytes = storage.RetentionMaxBytes,
            CompressionLevel = storage.CompressionLevel,
            DiscardUnsyncedAfterFsyncFailure = storage.Durability == Durability.Fsync,
            SyncClosedSegmentsInBackground = storage.Durability != Durability.Fsync,
        }, warn);
        var ring = new EventRing(RingCapacity(storage.RingBytes));
        int blockBytes = BlockBytes(storage.BlockMaxBytes);
        var writer = new SegmentWriter(ring, log, storage.Durability, blockBytes, metrics);
        writer.Start();
        // Large requests enter the ring in pieces of about one block each.
        var pipeline = new IngestPipeline(ring, writer, storage.Durability, backpressureWait ?? storage.BackpressureWait, blockBytes);
        return new StorageStack(log, ring, writer, pipeline);
    }

    /// <summary>The ring wants a power of two: the configured size clamped to 64 KiB .. 1 GiB and rounded down to one.</summary>
    public static int RingCapacity(long configured)
    {
        long c = Math.Clamp(configured, StorageConfig.MinRingBytes, 1L << 30);
        return (int)(1L << (int)(63 - long.LeadingZeroCount(c)));
    }

    public static int BlockBytes(long configured) => (int)Math.Min(configured, MaxBlockBytes);

    /// <summary>Closes the ring, drains it into the log, fsyncs and stops the writer thread.</summary>
    public void Stop() => Writer.StopAfterWritingAll();

    public void Dispose()
    {
        Stop();
        Writer.Dispose(); // disposes the log too
    }
}
