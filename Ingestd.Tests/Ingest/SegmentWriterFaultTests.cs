using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Ingest;
using Ingestd.Ring;
using Ingestd.Storage;
using Ingestd.Tests.Storage;

namespace Ingestd.Tests.Ingest;

/// <summary>
/// What each request learns from the writer when the disk misbehaves: exactly its own outcome, never another
/// request's, and a 2xx only for records that are stored.
/// </summary>
public sealed class SegmentWriterFaultTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly FaultyFiles _files = new();
    private readonly EventRing _ring = new(64 * 1024);
    private SegmentWriter? _writer;
    private SegmentLog? _log;

    public void Dispose()
    {
        _writer?.StopAfterWritingAll();
        _writer?.Dispose();
        _dir.Dispose();
    }

    // Configured as StorageStack configures the log for each durability.
    private SegmentWriter Start(Durability durability, TimeSpan? idleWait = null, long maxBytes = 256L << 20)
    {
        var log = _log = Fixtures.Open(_dir.Path, files: _files, maxBytes: maxBytes, discardUnsynced: durability == Durability.Fsync,
            backgroundClose: durability != Durability.Fsync);
        _writer = new SegmentWriter(_ring, log, durability, 4096, new Metrics(), new StorageHealth(_ => { }, _ => { }), idleWait);
        _writer.Start();
        return _writer;
    }

    // Publishes records [first, first + count) as one entry; returns its end position.
    private long Publish(int count, int first)
    {
        using var batch = Fixtures.Batch(count, first);
        Assert.True(_ring.TryPublish(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs, out long end));
        return end;
    }

    private async Task<StoreResult> Stored(long end) => await _writer!.WaitDurableAsync(new DurabilityWaiter(), end, end);

    private List<int> StoredNumbers()
    {
        _writer!.StopAfterWritingAll();
        _writer.Dispose();
        _writer = null;
        return Fixtures.ReadAll(_dir.Path).Select(r => int.Parse(r.Json[5..r.Json.IndexOf(',')])).ToList();
    }

    [Fact]
    public async Task Disk_full_answers_disk_full_and_the_next_write_succeeds_once_space_returns()
    {
        Start(Durability.Fsync);
        Assert.Equal(StoreResult.Durable, await Stored(Publish(2, 0)));
        _files.DiskFull = true;
        Assert.Equal(StoreResult.DiskFull, await Stored(Publish(2, 2)));
        _files.DiskFull = false;
        Assert.Equal(StoreResult.Durable, await Stored(Publish(2, 4)));
        Assert.Equal([0, 1, 4, 5], StoredNumbers());
    }

    [Fact]
    public async Task A_late_asker_gets_its_own_outcome_not_that_of_a_later_failed_group()
    {
        // Defect: one failure high-water mark made a request stored long ago see a later group's failure.
        Start(Durability.Fsync);
        long first = Publish(2, 0);
        Assert.Equal(StoreResult.Durable, await Stored(first));
        _files.DiskFull = true;
        Assert.Equal(StoreResult.DiskFull, await Stored(Publish(2, 2)));
        Assert.Equal(StoreResult.Durable, await Stored(first));
    }

    [Fact]
    public async Task Failed_fsync_fails_the_requests_it_covered_and_their_records_are_not_kept()
    {
        Start(Durability.Fsync);
        Assert.Equal(StoreResult.Durable, await Stored(Publish(2, 0)));
        _files.NextFlushFails = true;
        Assert.Equal(StoreResult.Failed, await Stored(Publish(2, 2)));
        Assert.Equal(StoreResult.Durable, await Stored(Publish(2, 4)));
        Assert.Equal([0, 1, 4, 5], StoredNumbers());
    }

    [Fact]
    public async Task Fsync_failing_for_lack_of_space_answers_disk_full()
    {
        Start(Durability.Fsync);
        Assert.Equal(StoreResult.Durable, await Stored(Publish(2, 0)));
        _files.FlushErrno = FaultyFiles.ENOSPC;
        _files.NextFlushFails = true;
        Assert.Equal(StoreResult.DiskFull, await Stored(Publish(2, 2)));
        Assert.Equal(StoreResult.Durable, await Stored(Publish(2, 4)));
        Assert.Equal([0, 1, 4, 5], StoredNumbers());
    }

    [Fact]
    public async Task Under_write_durability_a_failed_background_fsync_of_a_closed_segment_fails_the_next_request_and_is_counted()
    {
        using var gate = new ManualResetEventSlim();
        _files.FlushGate = gate;
        var writer = Start(Durability.Write, maxBytes: SegmentFormat.FileHeaderSize + 1); // one block fills a segment
        try
        {
            Assert.Equal(StoreResult.Durable, await Stored(Publish(5, 0)));
            _files.NextFlushFails = true;
            // Rotates: acknowledged while the closed segment's fsync is still held at the gate.
            Assert.Equal(StoreResult.Durable, await Stored(Publish(2, 5)));
            gate.Set();
            Assert.True(_log!.WaitForBackgroundFlushes(TimeSpan.FromSeconds(30)));
            Assert.Equal(StoreResult.Failed, await Stored(Publish(1, 7)));
            Assert.False(writer.Health.Writable);
            Assert.Equal(1, writer.Health.Errors(StorageErrorKind.Fsync));
            Assert.Equal(StoreResult.Durable, await Stored(Publish(1, 8)));
        }
        finally
        {
            gate.Set();
            _files.FlushGate = null; // the class's Dispose stops the writer after the gate is disposed
        }
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 8], StoredNumbers());
    }

    [Fact]
    public async Task Storage_health_goes_unwritable_on_a_failure_and_back_on_the_next_good_write()
    {
        var writer = Start(Durability.Write);
        _files.DiskFull = true;
        await Stored(Publish(1, 0));
        Assert.False(writer.Health.Writable);
        Assert.Equal(1, writer.Health.Errors(StorageErrorKind.DiskFull));
        _files.DiskFull = false;
        await Stored(Publish(1, 1));
        Assert.True(writer.Health.Writable);
    }

    [Fact]
    public async Task Every_publish_wakes_a_sleeping_writer()
    {
        // With no periodic wake-up, one lost wake-up would hang this test instead of costing 200 ms.
        Start(Durability.Write, idleWait: Timeout.InfiniteTimeSpan);
        for (int i = 0; i < 2000; i++)
        {
            var stored = Stored(Publish(1, i));
            var done = await Task.WhenAny(stored, Task.Delay(TimeSpan.FromSeconds(20)));
            Assert.True(done == stored, $"request {i} was never completed");
            if (i % 3 == 0) await Task.Yield();
        }
    }

    [Fact]
    public async Task After_stop_memory_durability_refuses_requests_instead_of_acknowledging_them()
    {
        var writer = Start(Durability.Memory);
        var pipeline = new IngestPipeline(_ring, writer, Durability.Memory, TimeSpan.Zero, 4096);
        using (var before = Fixtures.Batch(1, 0))
            Assert.Equal(PublishOutcome.Acknowledged, await pipeline.PublishAsync(before, new DurabilityWaiter()));
        writer.StopAfterWritingAll();
        using var after = Fixtures.Batch(1, 1);
        Assert.Equal(PublishOutcome.ShuttingDown, await pipeline.PublishAsync(after, new DurabilityWaiter()));
        Assert.Equal([0], Fixtures.ReadAll(_dir.Path).Select(r => (int)r.Seq));
    }
}
