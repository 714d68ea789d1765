using System.Diagnostics;
using Ingestd.Config;
using Ingestd.Parsing.Records;
using Ingestd.Storage;

namespace Ingestd.Ring;

internal enum PublishOutcome : byte
{
    Acknowledged,
    Backpressure,
    StorageFailed,
    TooLarge,
}

/// <summary>
/// The connection's view of the ring and the writer: publish one request's batch, waiting a
/// short bound for room (then 429), and return once it is as durable as the configured mode asks.
/// </summary>
internal sealed class IngestPipeline
{
    private readonly EventRing _ring;
    private readonly SegmentWriter _writer;
    private readonly Durability _durability;
    private readonly TimeSpan _backpressureWait;

    public IngestPipeline(EventRing ring, SegmentWriter writer, Durability durability, TimeSpan backpressureWait)
    {
        _ring = ring;
        _writer = writer;
        _durability = durability;
        _backpressureWait = backpressureWait;
    }

    /// <param name="keepBatch">Keep the record bytes after they are in the ring (else they go back to the pool at once).</param>
    public async ValueTask<PublishOutcome> PublishAsync(RecordBatch batch, DurabilityWaiter waiter, bool keepBatch = false)
    {
        if (batch.Count == 0) return PublishOutcome.Acknowledged;
        if (batch.ByteLength > _ring.MaxBatchBytes)
        {
            batch.ReleaseBytes();
            return PublishOutcome.TooLarge;
        }
        var published = await TryPublishAsync(batch).ConfigureAwait(false);
        // The ring holds its own copy now (or the request was refused): the batch buffer is free.
        if (!keepBatch) batch.ReleaseBytes();
        if (published is not long end) return PublishOutcome.Backpressure;
        if (_durability == Durability.Memory) return PublishOutcome.Acknowledged;
        return await _writer.WaitDurableAsync(waiter, end).ConfigureAwait(false)
            ? PublishOutcome.Acknowledged
            : PublishOutcome.StorageFailed;
    }

    // The ring position after the batch, or null when the ring stayed full for backpressure_wait.
    private async ValueTask<long?> TryPublishAsync(RecordBatch batch)
    {
        long end;
        if (!_ring.TryPublish(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs, out end))
        {
            // Ring full: back off briefly while the writer catches up, but never wait unboundedly.
            long start = Stopwatch.GetTimestamp();
            int delay = 1;
            while (true)
            {
                if (Stopwatch.GetElapsedTime(start) >= _backpressureWait) return null;
                await Task.Delay(delay).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 20);
                if (_ring.TryPublish(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs, out end)) break;
            }
        }
        return end;
    }
}
