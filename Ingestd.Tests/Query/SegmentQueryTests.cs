using Ingestd.Parsing.Records;
using Ingestd.Query;
using Ingestd.Selection;
using Ingestd.Storage;
using Ingestd.Tests.Storage;
using StorageDir = Ingestd.Tests.Storage.TempDir;

namespace Ingestd.Tests.Query;

/// <summary>The query engine over real segment files: block skipping, order, cursors across segments, damage, a live tail.</summary>
public class SegmentQueryTests
{
    private static readonly QueryLimits Unlimited = new(int.MaxValue, long.MaxValue, TimeSpan.FromHours(1));

    private sealed class Collect : IRecordSink
    {
        public readonly List<long> Sequences = new();
        public bool Add(long sequence, in RecordView view)
        {
            Sequences.Add(sequence);
            return true;
        }
    }

    // Blocks of ten records each, the event times one second apart; one segment per block when `segmentPerBlock`.
    private static void Write(string dir, int blocks, bool segmentPerBlock)
    {
        using var log = Fixtures.Open(dir, maxBytes: segmentPerBlock ? 1 : 256L << 20);
        for (int b = 0; b < blocks; b++) Fixtures.Append(log, 10, b * 10);
    }

    private static (List<long> Sequences, QueryOutcome Outcome) Run(string dir, QueryRequest request, List<string>? warnings = null)
    {
        var sink = new Collect();
        var outcome = new SegmentQuery(dir, request, Unlimited, w => warnings?.Add(w)).Run(sink);
        return (sink.Sequences, outcome);
    }

    private static long Second(int i) => Fixtures.BaseEventNs + i * 1_000_000_000L;

    [Fact]
    public void Blocks_outside_the_time_range_are_never_decompressed()
    {
        using var dir = new StorageDir();
        Write(dir.Path, 3, segmentPerBlock: false);
        var (found, outcome) = Run(dir.Path, new QueryRequest { Criteria = new RecordCriteria { SinceNs = Second(12), UntilNs = Second(15) }, Limit = 100 });
        Assert.Equal([12L, 13, 14], found);
        Assert.Equal(10, outcome.RecordsScanned); // only the middle block was read
    }

    [Fact]
    public void Desc_reads_every_segment_newest_first_and_its_cursor_goes_on_backwards()
    {
        using var dir = new StorageDir();
        Write(dir.Path, 4, segmentPerBlock: true);
        Assert.Equal(4, SegmentFormat.ListSegments(dir.Path).Count);
        var all = new List<long>();
        QueryCursor? cursor = null;
        for (int page = 0; page < 10; page++)
        {
            var (found, outcome) = Run(dir.Path, new QueryRequest { Criteria = new RecordCriteria(), Limit = 15, Descending = true, Cursor = cursor });
            all.AddRange(found);
            cursor = outcome.Next;
            if (cursor is null) break;
        }
        Assert.Equal(Enumerable.Range(0, 40).Reverse().Select(i => (long)i), all);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_paced_scan_finds_the_same_records_and_next_cursor_as_a_full_speed_one(bool descending)
    {
        using var dir = new StorageDir();
        using (var log = Fixtures.Open(dir.Path))
            for (int b = 0; b < 3; b++) Fixtures.Append(log, 1000, b * 1000); // blocks of 1000: paced within a block too
        var request = new QueryRequest { Criteria = new RecordCriteria(), Limit = 2500, Descending = descending };
        var full = new Collect();
        var fullOutcome = new SegmentQuery(dir.Path, request, Unlimited, _ => { }).Run(full);
        var paced = new Collect();
        var pacedOutcome = new SegmentQuery(dir.Path, request, Unlimited, _ => { }, new QueryPacer()).Run(paced);
        Assert.Equal(2500, paced.Sequences.Count);
        Assert.Equal(full.Sequences, paced.Sequences);
        Assert.NotNull(pacedOutcome.Next);
        Assert.Equal(fullOutcome.Next, pacedOutcome.Next);
    }

    [Fact]
    public void A_cursor_into_a_segment_retention_deleted_goes_on_with_the_next_segment()
    {
        using var dir = new StorageDir();
        Write(dir.Path, 3, segmentPerBlock: true);
        var (first, outcome) = Run(dir.Path, new QueryRequest { Criteria = new RecordCriteria(), Limit = 15 });
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), first);
        File.Delete(SegmentFormat.ListSegments(dir.Path)[1]); // the segment the cursor points into
        var (rest, _) = Run(dir.Path, new QueryRequest { Criteria = new RecordCriteria(), Limit = 100, Cursor = outcome.Next });
        Assert.Equal(Enumerable.Range(20, 10).Select(i => (long)i), rest);
    }

    [Fact]
    public void A_damaged_block_is_reported_and_skipped_and_the_others_are_read()
    {
        using var dir = new StorageDir();
        Write(dir.Path, 3, segmentPerBlock: true);
        Fixtures.FlipByte(SegmentFormat.ListSegments(dir.Path)[1], SegmentFormat.FileHeaderSize + BlockCodec.HeaderSize + 3);
        var warnings = new List<string>();
        var (found, _) = Run(dir.Path, new QueryRequest { Criteria = new RecordCriteria(), Limit = 100 }, warnings);
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(20, 10)).Select(i => (long)i), found);
        Assert.Contains(warnings, w => w.Contains("block skipped"));
    }

    [Fact]
    public void A_block_still_being_written_at_the_end_of_the_newest_segment_is_left_for_later_without_a_warning()
    {
        using var dir = new StorageDir();
        Write(dir.Path, 2, segmentPerBlock: false);
        Fixtures.AppendBytes(SegmentFormat.ListSegments(dir.Path)[^1], "BLK1"u8.ToArray().Concat(new byte[20]).ToArray());
        var warnings = new List<string>();
        foreach (bool descending in new[] { false, true })
        {
            var (found, _) = Run(dir.Path, new QueryRequest { Criteria = new RecordCriteria(), Limit = 100, Descending = descending }, warnings);
            Assert.Equal(20, found.Count);
        }
        Assert.Empty(warnings);
    }

    [Fact]
    public void A_page_cut_by_the_time_cap_still_reads_one_block_and_its_cursor_goes_on()
    {
        using var dir = new StorageDir();
        Write(dir.Path, 3, segmentPerBlock: false);
        var noTime = new QueryLimits(int.MaxValue, long.MaxValue, TimeSpan.Zero);
        var all = new List<long>();
        QueryCursor? cursor = null;
        int pages = 0;
        for (; pages < 10; pages++)
        {
            var sink = new Collect();
            var outcome = new SegmentQuery(dir.Path, new QueryRequest { Criteria = new RecordCriteria(), Limit = 100, Cursor = cursor }, noTime, _ => { }).Run(sink);
            all.AddRange(sink.Sequences);
            cursor = outcome.Next;
            if (cursor is null) break;
            Assert.Equal("max_time", outcome.Truncated);
        }
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), all);
        Assert.Equal(2, pages); // three pages of one block each; the last one ends without a cursor
    }

    [Fact]
    public void A_cursor_survives_being_written_out_and_read_back()
    {
        var cursor = new QueryCursor(true, 1234, 5678, -1, 0xfeedface12345678);
        Assert.True(QueryCursor.TryDecode(cursor.Encode(), out var back, out _));
        Assert.Equal(cursor, back);
        Assert.False(QueryCursor.TryDecode("bm90IGEgY3Vyc29y", out _, out _));
    }
}
