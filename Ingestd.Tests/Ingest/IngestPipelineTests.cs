using System.Text;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Ingest;
using Ingestd.Parsing.Records;
using Ingestd.Ring;
using Ingestd.Storage;
using Ingestd.Tests.Support;
using Fixtures = Ingestd.Tests.Storage.Fixtures;

namespace Ingestd.Tests.Ingest;

public class IngestPipelineTests : IDisposable
{
    private const int RingBytes = 64 * 1024;
    private const int ChunkBytes = 4096;

    private readonly TempDir _dir = new();
    private readonly EventRing _ring = new(RingBytes);
    private readonly SegmentWriter _writer;
    private bool _writerStarted;

    public IngestPipelineTests()
    {
        // Not started unless a test starts it: most tests read the ring themselves.
        _writer = new SegmentWriter(_ring, Fixtures.Open(_dir.Path), Durability.Write, ChunkBytes, new Metrics());
    }

    public void Dispose()
    {
        if (_writerStarted) _writer.StopAfterWritingAll();
        _writer.Dispose();
        _dir.Dispose();
    }

    private IngestPipeline Pipeline(Durability durability = Durability.Memory, int backpressureMs = 0, int chunkBytes = ChunkBytes)
        => new(_ring, _writer, durability, TimeSpan.FromMilliseconds(backpressureMs), chunkBytes);

    private sealed record Entry(byte[] Records, int Count, long MinEventNs, long MaxEventNs);

    private List<Entry> ReadEntries()
    {
        var entries = new List<Entry>();
        while (_ring.TryRead(out var records, out int count, out long min, out long max, out _))
            entries.Add(new Entry(records.ToArray(), count, min, max));
        _ring.Release();
        return entries;
    }

    // Appends one record with an event JSON of about jsonBytes bytes.
    private static void AppendRecord(RecordBatch batch, int n, int jsonBytes)
    {
        var json = Encoding.UTF8.GetBytes("{\"n\":" + n + ",\"pad\":\"" + new string('x', jsonBytes) + "\"}");
        batch.Append(Fixtures.ReceivedNs, Fixtures.BaseEventNs + n, Dialect.Astralog, RecordKind.Log,
            "t"u8, "info"u8, "svc"u8, "2024-05-31T15:30:45Z"u8, json);
    }

    private static List<(long EventNs, string Json)> Records(byte[] records)
    {
        var list = new List<(long, string)>();
        var span = records.AsSpan();
        while (span.Length > 0)
        {
            Assert.True(RecordView.TryRead(span, out var view, out int length));
            list.Add((view.EventNs, Encoding.UTF8.GetString(view.Json)));
            span = span[length..];
        }
        return list;
    }

    [Fact]
    public async Task A_batch_over_the_chunk_limit_enters_the_ring_as_several_entries_of_whole_records_in_order()
    {
        using var batch = Fixtures.Batch(200);
        byte[] sent = batch.Bytes.ToArray();

        Assert.Equal(PublishOutcome.Acknowledged, await Pipeline().PublishAsync(batch, new DurabilityWaiter()));

        var entries = ReadEntries();
        Assert.True(entries.Count > 1);
        Assert.All(entries, e => Assert.InRange(e.Records.Length, 1, ChunkBytes));
        Assert.Equal(sent, entries.SelectMany(e => e.Records).ToArray());
        Assert.Equal(200, entries.Sum(e => e.Count));
        Assert.All(entries, e => Assert.Equal(e.Count, Records(e.Records).Count));
    }

    [Fact]
    public async Task Each_entry_carries_the_event_time_range_of_its_own_records()
    {
        // Event times out of order, so each entry's range differs from the batch's and from its ends.
        using var batch = new RecordBatch();
        for (int i = 0; i < 120; i++) AppendRecord(batch, (i * 37) % 120, 100);

        Assert.Equal(PublishOutcome.Acknowledged, await Pipeline().PublishAsync(batch, new DurabilityWaiter()));

        var entries = ReadEntries();
        Assert.True(entries.Count > 1);
        foreach (var e in entries)
        {
            var times = Records(e.Records).Select(r => r.EventNs).ToList();
            Assert.Equal((times.Min(), times.Max()), (e.MinEventNs, e.MaxEventNs));
        }
    }

    [Fact]
    public async Task A_batch_within_the_chunk_limit_is_one_entry()
    {
        using var batch = Fixtures.Batch(20);
        byte[] sent = batch.Bytes.ToArray();

        Assert.Equal(PublishOutcome.Acknowledged, await Pipeline().PublishAsync(batch, new DurabilityWaiter()));

        var entry = Assert.Single(ReadEntries());
        Assert.Equal(sent, entry.Records);
        Assert.Equal((20, batch.MinEventNs, batch.MaxEventNs), (entry.Count, entry.MinEventNs, entry.MaxEventNs));
    }

    [Fact]
    public async Task A_record_over_the_chunk_limit_but_within_half_the_ring_is_an_entry_of_its_own()
    {
        using var batch = new RecordBatch();
        for (int i = 0; i < 10; i++) AppendRecord(batch, i, 100);
        AppendRecord(batch, 10, 10_000);
        for (int i = 11; i < 21; i++) AppendRecord(batch, i, 100);

        Assert.Equal(PublishOutcome.Acknowledged, await Pipeline().PublishAsync(batch, new DurabilityWaiter()));

        var counts = ReadEntries().Select(e => e.Count).ToList();
        Assert.Equal(new List<int> { 10, 1, 10 }, counts);
    }

    [Fact]
    public async Task One_record_over_half_the_ring_is_too_large_and_nothing_is_published()
    {
        using var batch = new RecordBatch();
        for (int i = 0; i < 50; i++) AppendRecord(batch, i, 100);
        AppendRecord(batch, 50, _ring.MaxBatchBytes);

        Assert.Equal(PublishOutcome.TooLarge, await Pipeline().PublishAsync(batch, new DurabilityWaiter()));

        Assert.Equal(0, _ring.Fill);
        Assert.Empty(ReadEntries());
    }

    [Theory]
    [InlineData(10)]   // one entry
    [InlineData(200)]  // several entries
    public async Task No_room_for_the_first_entry_is_backpressure_and_publishes_nothing(int records)
    {
        var filler = new byte[1000];
        while (_ring.TryPublish(filler, 1, 0, 0, out _)) { }
        long fill = _ring.Fill;
        using var batch = Fixtures.Batch(records);

        Assert.Equal(PublishOutcome.Backpressure, await Pipeline().PublishAsync(batch, new DurabilityWaiter()));

        Assert.Equal(fill, _ring.Fill);
        Assert.All(ReadEntries(), e => Assert.Equal(filler, e.Records));
    }

    [Fact]
    public async Task A_request_larger_than_the_ring_is_stored_whole_and_in_order_while_the_writer_keeps_up()
    {
        _writer.Start();
        _writerStarted = true;
        using var batch = Fixtures.Batch(2000);
        Assert.True(batch.ByteLength > RingBytes);

        // backpressure_wait 0: only the first entry may be refused; the rest wait for the writer.
        Assert.Equal(PublishOutcome.Acknowledged, await Pipeline(Durability.Write).PublishAsync(batch, new DurabilityWaiter()));

        _writer.StopAfterWritingAll();
        var stored = Fixtures.ReadAll(_dir.Path);
        Assert.Equal(Enumerable.Range(0, 2000).Select(Fixtures.Json), stored.Select(r => r.Json));
    }

    [Fact]
    public async Task A_committed_request_whose_writer_releases_nothing_ends_as_a_storage_failure()
    {
        // The writer is not running: the first entries fit, then the ring stays full.
        using var batch = Fixtures.Batch(1000);
        Assert.True(batch.ByteLength > RingBytes);

        Assert.Equal(PublishOutcome.StorageFailed, await Pipeline(backpressureMs: 10).PublishAsync(batch, new DurabilityWaiter()));

        Assert.NotEmpty(ReadEntries());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_split_batch_keeps_its_bytes_only_when_asked(bool keepBatch)
    {
        using var batch = Fixtures.Batch(200);
        int length = batch.ByteLength;

        Assert.Equal(PublishOutcome.Acknowledged, await Pipeline().PublishAsync(batch, new DurabilityWaiter(), keepBatch));

        Assert.Equal(keepBatch ? length : 0, batch.ByteLength);
        Assert.Equal(200, batch.Count);
    }
}
