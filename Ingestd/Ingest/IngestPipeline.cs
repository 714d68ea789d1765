using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ingestd.Config;
using Ingestd.Parsing.Records;
using Ingestd.Ring;

namespace Ingestd.Ingest;

internal enum PublishOutcome : byte
{
    Acknowledged,
    Backpressure,
    /// <summary>Not (or not wholly) stored: an I/O error, failed fsync or read-only file system (503).</summary>
    StorageFailed,
    /// <summary>Not (or not wholly) stored because the disk is full (507).</summary>
    StorageFull,
    TooLarge,
    /// <summary>The writer has stopped taking events (daemon shutting down); nothing of the request was stored (503).</summary>
    ShuttingDown,
}

/// <summary>How <see cref="IngestPipeline.StartPublish"/> left a request.</summary>
internal enum PublishStart : byte { Done, Waiting, Slow }

/// <summary>
/// The connection's view of the ring and the writer: publish one request's batch, waiting a
/// short bound for room (then 429), and return once it is as durable as the configured mode asks.
/// </summary>
/// <remarks>
/// A batch of up to <see cref="ChunkBytes"/> record bytes enters the ring as one entry. A larger one
/// enters as several consecutive entries cut at record boundaries, each at most <see cref="ChunkBytes"/>
/// (or one record alone, when that record is bigger): so a request may exceed the ring, and one entry
/// stays about one segment block. Only a single record over <see cref="EventRing.MaxBatchBytes"/> is
/// <see cref="PublishOutcome.TooLarge"/>, and then nothing is published.
/// <para>
/// Backpressure applies to the first entry only: if it finds no room within <c>backpressure_wait</c>,
/// the answer is <see cref="PublishOutcome.Backpressure"/> and nothing of the request is stored. Once the
/// first entry is in, the request is committed: each later entry waits for room as long as the writer
/// keeps releasing ring space. If it releases nothing for <c>backpressure_wait</c> (at least one
/// second) or for ten seconds in all, the request ends as <see cref="PublishOutcome.StorageFailed"/>: its first part may be
/// stored, so it is reported as a storage error, never as accepted.
/// </para>
/// </remarks>
internal sealed class IngestPipeline
{
    // A committed request gives up on a writer that releases nothing only after this long at least: a
    // block's compression and an fsync release no ring space while they run, and giving up turns a
    // partly stored request into a 503.
    private static readonly TimeSpan MinStallWait = TimeSpan.FromSeconds(1);

    // However busy the writer is, a split request's later entries wait no longer than this in all (then 503).
    private static readonly TimeSpan MaxCommittedWait = TimeSpan.FromSeconds(10);

    private readonly EventRing _ring;
    private readonly SegmentWriter _writer;
    private readonly Durability _durability;
    private readonly TimeSpan _backpressureWait;
    private readonly TimeSpan _stallWait;
    private readonly int _chunkBytes;

    /// <param name="chunkBytes">
    /// Record bytes per ring entry when a batch has to be split; about the writer's <c>block_max_bytes</c>,
    /// so that one entry makes about one block. Capped at the ring's <see cref="EventRing.MaxBatchBytes"/>.
    /// </param>
    public IngestPipeline(EventRing ring, SegmentWriter writer, Durability durability, TimeSpan backpressureWait, int chunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        _ring = ring;
        _writer = writer;
        _durability = durability;
        _backpressureWait = backpressureWait;
        _stallWait = backpressureWait > MinStallWait ? backpressureWait : MinStallWait;
        _chunkBytes = Math.Min(ring.MaxBatchBytes, chunkBytes);
    }

    /// <summary>The most record bytes one ring entry of this pipeline holds (except a single bigger record).</summary>
    public int ChunkBytes => _chunkBytes;

    /// <summary>
    /// After an acknowledged publish that waited for the writer: an upper bound of the log's next sequence number, so
    /// every record of the request has a lower one. Idempotency records carry it (see IdempotencyStore).
    /// </summary>
    public long DurableSequence => _writer.DurableSequence;

    /// <param name="keepBatch">Keep the record bytes after they are in the ring (else they go back to the pool at once).</param>
    /// <param name="waitForWrite">Under memory durability, still wait until the writer has written the records.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<PublishOutcome> PublishAsync(RecordBatch batch, DurabilityWaiter waiter, bool keepBatch = false, bool waitForWrite = false)
    {
        if (batch.Count == 0) return PublishOutcome.Acknowledged;
        long firstEnd, end;
        if (batch.ByteLength <= _chunkBytes)
        {
            // The common case: the whole request is one entry.
            var whole = new Chunk(0, batch.ByteLength, batch.Count, batch.MinEventNs, batch.MaxEventNs);
            var published = await PublishChunkAsync(batch, whole, committed: false).ConfigureAwait(false);
            // The ring holds its own copy now (or the request was refused): the batch buffer is free.
            if (!keepBatch) batch.ReleaseBytes();
            if (published is not long e) return _ring.IsClosed ? PublishOutcome.ShuttingDown : PublishOutcome.Backpressure;
            firstEnd = end = e;
        }
        else
        {
            // Checked before anything is published, so a refused request leaves nothing behind.
            if (batch.ByteLength > _ring.MaxBatchBytes && HasRecordOver(batch.Bytes, _ring.MaxBatchBytes))
            {
                batch.ReleaseBytes();
                return PublishOutcome.TooLarge;
            }
            var (outcome, first, e) = await PublishChunksAsync(batch).ConfigureAwait(false);
            if (!keepBatch) batch.ReleaseBytes();
            if (outcome != PublishOutcome.Acknowledged) return outcome;
            firstEnd = first;
            end = e;
        }
        if (_durability == Durability.Memory && !waitForWrite) return PublishOutcome.Acknowledged;
        // Positions only grow: the last entry durable means every earlier one is too.
        return OutcomeOf(await _writer.WaitDurableAsync(waiter, firstEnd, end).ConfigureAwait(false));
    }

    /// <summary>
    /// <see cref="PublishAsync"/> without an async method, for the common case (one entry, room in the ring), so a
    /// connection that waits for the disk allocates nothing: <see cref="PublishStart.Done"/> with the
    /// <paramref name="outcome"/>; <see cref="PublishStart.Waiting"/> when the caller is to await
    /// <paramref name="waiter"/> (<see cref="DurabilityWaiter.AsPlainTask"/>) and map its result with
    /// <see cref="OutcomeOf"/>; <see cref="PublishStart.Slow"/> when nothing was done and the caller is to use
    /// <see cref="PublishAsync"/> (a batch of several entries, or a full ring: backpressure waits).
    /// </summary>
    public PublishStart StartPublish(RecordBatch batch, DurabilityWaiter waiter, bool keepBatch, bool waitForWrite, out PublishOutcome outcome)
    {
        outcome = PublishOutcome.Acknowledged;
        if (batch.Count == 0) return PublishStart.Done;
        if (batch.ByteLength > _chunkBytes) return PublishStart.Slow;
        var whole = new Chunk(0, batch.ByteLength, batch.Count, batch.MinEventNs, batch.MaxEventNs);
        if (!TryPublish(batch, whole, out long end)) return PublishStart.Slow;
        if (!keepBatch) batch.ReleaseBytes();
        if (_durability == Durability.Memory && !waitForWrite) return PublishStart.Done;
        var durable = _writer.WaitDurableAsync(waiter, end, end);
        if (!durable.IsCompleted) return PublishStart.Waiting;
        outcome = OutcomeOf(durable.Result);
        return PublishStart.Done;
    }

    public static PublishOutcome OutcomeOf(StoreResult result) => result switch
    {
        StoreResult.Durable => PublishOutcome.Acknowledged,
        StoreResult.DiskFull => PublishOutcome.StorageFull,
        _ => PublishOutcome.StorageFailed,
    };

    // A batch over the chunk limit, as consecutive entries; with the ring positions after the first and the last one.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(PublishOutcome Outcome, long FirstEnd, long End)> PublishChunksAsync(RecordBatch batch)
    {
        var chunk = NextChunk(batch.Bytes, 0, _chunkBytes);
        if (await PublishChunkAsync(batch, chunk, committed: false).ConfigureAwait(false) is not long end)
            return (_ring.IsClosed ? PublishOutcome.ShuttingDown : PublishOutcome.Backpressure, 0, 0);
        long firstEnd = end;
        long committedAt = Stopwatch.GetTimestamp();
        while (chunk.End < batch.ByteLength)
        {
            chunk = NextChunk(batch.Bytes, chunk.End, _chunkBytes);
            if (await PublishChunkAsync(batch, chunk, committed: true, committedAt).ConfigureAwait(false) is not long next)
                return (PublishOutcome.StorageFailed, 0, 0);
            end = next;
        }
        return (PublishOutcome.Acknowledged, firstEnd, end);
    }

    // The ring position after the chunk, or null when the ring had no room for it in time: within
    // backpressure_wait, or (committed) before the writer went backpressure_wait without releasing space.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long?> PublishChunkAsync(RecordBatch batch, Chunk chunk, bool committed, long committedAt = 0)
    {
        if (TryPublish(batch, chunk, out long end)) return end;
        // Ring full: back off briefly while the writer catches up, but never wait unboundedly.
        var wait = committed ? _stallWait : _backpressureWait;
        long start = Stopwatch.GetTimestamp();
        long released = _ring.Released;
        int delay = 1;
        while (true)
        {
            if (Stopwatch.GetElapsedTime(start) >= wait || _ring.IsClosed) return null;
            // Under sustained overload smaller requests could keep taking the space a committed one waits for.
            if (committed && Stopwatch.GetElapsedTime(committedAt) >= MaxCommittedWait) return null;
            await Task.Delay(delay).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 20);
            if (TryPublish(batch, chunk, out end)) return end;
            if (committed && _ring.Released != released)
            {
                // The writer is moving: the wait counts from its latest progress.
                released = _ring.Released;
                start = Stopwatch.GetTimestamp();
            }
        }
    }

    private bool TryPublish(RecordBatch batch, in Chunk chunk, out long end)
        => _ring.TryPublish(batch.Bytes.Slice(chunk.Offset, chunk.Length), chunk.Count, chunk.MinEventNs, chunk.MaxEventNs, out end);

    // The records from offset that fit in limit bytes (at least one, whatever its size), with their
    // count and event-time range computed as RecordBatch does.
    private static Chunk NextChunk(ReadOnlySpan<byte> records, int offset, int limit)
    {
        int at = offset, count = 0;
        long min = long.MaxValue, max = long.MinValue;
        while (at < records.Length)
        {
            int length = RecordLayout.ReadLength(records[at..]);
            if (count > 0 && at - offset > limit - length) break;
            long eventNs = RecordLayout.ReadEventNs(records[at..]);
            if (eventNs < min) min = eventNs;
            if (eventNs > max) max = eventNs;
            at += length;
            count++;
        }
        return new Chunk(offset, at - offset, count, min, max);
    }

    private static bool HasRecordOver(ReadOnlySpan<byte> records, int limit)
    {
        int at = 0;
        while (at < records.Length)
        {
            int length = RecordLayout.ReadLength(records[at..]);
            if (length > limit) return true;
            at += length;
        }
        return false;
    }

    // One ring entry's share of a batch: a run of whole records.
    private readonly record struct Chunk(int Offset, int Length, int Count, long MinEventNs, long MaxEventNs)
    {
        public int End => Offset + Length;
    }
}
