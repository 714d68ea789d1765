using System.Text;
using Ingestd.Cli;
using Ingestd.Parsing.Records;
using Ingestd.Storage;
using Ingestd.Storage.Index;

namespace Ingestd.Tests.Storage;

/// <summary>The per-segment block index (FORMAT.md, "Block index"): written at rotation, checked before use, never a wrong answer.</summary>
public class SegmentIndexTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly string[] Tenants = ["org-a", "org-b", "org-c"];
    private static readonly string[] Services = ["api", "db", "web", "queue"];
    private static readonly string[] Levels = ["info", "WARN", "error"];

    /// <summary>
    /// 60 blocks of 5 records, each block one tenant/service/level (varying), rotated every ~4 KiB so there are many closed
    /// segments. Returns the directory; every closed segment has its index once this returns.
    /// </summary>
    private static TempDir MixedSegments(int blocks = 60, bool indexes = true)
    {
        var dir = new TempDir();
        using var log = SegmentLog.Open(new SegmentLogOptions
        {
            Directory = dir.Path,
            SegmentMaxBytes = 4096,
            WriteIndexes = indexes,
        }, _ => { });
        for (int b = 0; b < blocks; b++)
        {
            using var batch = Fixtures.Batch(5, b * 5, tenant: Tenants[b % 3], service: Services[b / 3 % 4], level: Levels[b / 2 % 3],
                dialect: b % 5 == 0 ? Dialect.Air : Dialect.Astralog, kind: b % 7 == 0 ? RecordKind.Metric : RecordKind.Log);
            log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);
        }
        Assert.True(log.WaitForIndexes(Wait));
        return dir;
    }

    private static List<StoredRecord> Read(string dir, BlockQuery? query, out SegmentReader stats, bool useIndex = true, List<string>? warnings = null)
    {
        var result = new List<StoredRecord>();
        var reader = new SegmentReader(w => warnings?.Add(w)) { Query = query, UseIndex = useIndex };
        reader.ReadFiles(SegmentFormat.ListSegments(dir), (long seq, in RecordView v) => result.Add(StoredRecord.From(seq, v)));
        reader.Dispose();
        stats = reader;
        return result;
    }

    private static List<StoredRecord> FullScanWhere(string dir, Func<StoredRecord, bool> keep)
        => Fixtures.ReadAll(dir).Where(keep).ToList();

    private static List<StoredRecord> IndexedWhere(string dir, BlockQuery query, Func<StoredRecord, bool> keep, out SegmentReader stats)
        => Read(dir, query, out stats).Where(keep).ToList();

    [Fact]
    public void Every_closed_segment_gets_an_index_and_the_newest_none()
    {
        using var dir = MixedSegments();
        var segments = SegmentFormat.ListSegments(dir.Path);
        Assert.True(segments.Count > 3);
        foreach (var segment in segments[..^1])
        {
            var index = SegmentIndexFile.TryLoad(segment, out string? whyNot);
            Assert.True(index is not null, whyNot);
            Assert.Equal(new FileInfo(segment).Length, index!.SegmentLength);
        }
        Assert.False(File.Exists(IndexFormat.PathFor(segments[^1])));
    }

    [Fact]
    public void The_index_built_while_writing_equals_the_one_built_by_reading_the_segment()
    {
        using var dir = MixedSegments();
        using var reader = new BlockReader();
        foreach (var segment in SegmentFormat.ListSegments(dir.Path)[..^1])
        {
            byte[]? rebuilt = SegmentIndexer.Build(segment, reader, CancellationToken.None, out string? whyNot);
            Assert.True(rebuilt is not null, whyNot);
            Assert.Equal(rebuilt, File.ReadAllBytes(IndexFormat.PathFor(segment)));
        }
    }

    [Fact]
    public void A_tenant_query_through_the_index_equals_a_filtered_full_scan_and_decodes_fewer_blocks()
    {
        using var dir = MixedSegments();
        var query = new BlockQuery { Tenants = ["org-b"] };

        var indexed = IndexedWhere(dir.Path, query, r => r.Tenant == "org-b", out var withIndex);
        var scanned = Read(dir.Path, query, out var withoutIndex, useIndex: false).Where(r => r.Tenant == "org-b").ToList();

        Assert.Equal(FullScanWhere(dir.Path, r => r.Tenant == "org-b"), indexed);
        Assert.Equal(scanned, indexed);
        Assert.Equal(100, indexed.Count);
        Assert.True(withIndex.FilesReadWithIndex > 0);
        Assert.True(withIndex.BlocksDecoded < withoutIndex.BlocksDecoded, $"{withIndex.BlocksDecoded} vs {withoutIndex.BlocksDecoded}");
        // Only the newest segment (no index) may cost blocks of other tenants.
        Assert.True(withIndex.BlocksDecoded <= 20 + 10, $"decoded {withIndex.BlocksDecoded}");
    }

    [Fact]
    public void Service_level_dialect_kind_and_time_filters_through_the_index_equal_a_filtered_full_scan()
    {
        using var dir = MixedSegments();
        long since = Fixtures.BaseEventNs + 50 * 1_000_000_000L, until = Fixtures.BaseEventNs + 220 * 1_000_000_000L;
        var cases = new (BlockQuery Query, Func<StoredRecord, bool> Keep)[]
        {
            (new BlockQuery { Services = ["db"] }, r => r.Service == "db"),
            (new BlockQuery { Levels = ["warn"] }, r => r.Level.Equals("warn", StringComparison.OrdinalIgnoreCase)),
            (new BlockQuery { Dialects = [Dialect.Air] }, r => r.Dialect == Dialect.Air),
            (new BlockQuery { Kinds = [RecordKind.Metric] }, r => r.Kind == RecordKind.Metric),
            (new BlockQuery { Tenants = ["org-a", "org-c"], Services = ["web"] }, r => r.Tenant is "org-a" or "org-c" && r.Service == "web"),
            (new BlockQuery { SinceNs = since, UntilNs = until, Tenants = ["org-a"] }, r => r.EventNs >= since && r.EventNs < until && r.Tenant == "org-a"),
            (new BlockQuery { Tenants = ["nobody"] }, r => r.Tenant == "nobody"),
        };
        foreach (var (query, keep) in cases)
            Assert.Equal(FullScanWhere(dir.Path, keep), IndexedWhere(dir.Path, query, keep, out _));
    }

    [Fact]
    public void A_block_with_more_tenants_than_an_exact_set_holds_is_still_found_for_each_of_them()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 1))
        {
            // One block of 100 tenants (a Bloom filter), then one of a single other tenant to close the first segment.
            using var batch = new RecordBatch();
            for (int i = 0; i < 100; i++)
                batch.Append(Fixtures.ReceivedNs, Fixtures.BaseEventNs + i, Dialect.Astralog, RecordKind.Log, Encoding.UTF8.GetBytes("tenant-" + i),
                    "info"u8, "svc"u8, "t"u8, "{}"u8);
            log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);
            Fixtures.Append(log, 1, 0);
            Assert.True(log.WaitForIndexes(Wait));
        }
        string first = SegmentFormat.ListSegments(dir.Path)[0];
        var index = SegmentIndexFile.TryLoad(first, out _)!;
        for (int i = 0; i < 100; i++) Assert.Single(index.Select(new BlockQuery { Tenants = ["tenant-" + i] }));
        int falsePositives = 0;
        for (int i = 0; i < 1000; i++) falsePositives += index.Select(new BlockQuery { Tenants = ["other-" + i] }).Count;
        Assert.True(falsePositives < 50, $"{falsePositives} of 1000 absent tenants matched");
    }

    [Fact]
    public void A_level_hash_ignores_ascii_case_like_the_level_filter()
    {
        Assert.Equal(FieldHash.Of("warning"u8), FieldHash.OfFolded("WARNING"u8));
        Assert.Equal(FieldHash.Of("info"u8), FieldHash.OfFolded("InFo"u8));
        Assert.Equal(FieldHash.OfFolded("Ünïcode-LEVEL-long"u8), FieldHash.OfFolded("Ünïcode-level-LONG"u8));
        Assert.NotEqual(FieldHash.Of("info"u8), FieldHash.Of("INFO"u8));
        Assert.NotEqual(FieldHash.Of("a"u8), FieldHash.Of("a\0"u8));
    }

    public static TheoryData<string> Damage => new() { "flip", "truncate", "other-segment", "segment-grew", "empty" };

    [Theory]
    [MemberData(nameof(Damage))]
    public void A_damaged_or_mismatched_index_is_ignored_and_answers_equal_a_full_scan(string damage)
    {
        using var dir = MixedSegments();
        var segments = SegmentFormat.ListSegments(dir.Path);
        string target = segments[1], idx = IndexFormat.PathFor(target);
        var bytes = File.ReadAllBytes(idx);
        switch (damage)
        {
            case "flip": Fixtures.FlipByte(idx, bytes.Length / 2); break;
            case "truncate": File.WriteAllBytes(idx, bytes[..(bytes.Length - 7)]); break;
            case "other-segment": File.Copy(IndexFormat.PathFor(segments[0]), idx, overwrite: true); break;
            case "segment-grew": Fixtures.AppendBytes(target, new byte[100]); break;
            case "empty": File.WriteAllBytes(idx, []); break;
        }

        Assert.Null(SegmentIndexFile.TryLoad(target, out string? whyNot));
        Assert.NotNull(whyNot);
        var query = new BlockQuery { Tenants = ["org-a"] };
        Assert.Equal(FullScanWhere(dir.Path, r => r.Tenant == "org-a"), IndexedWhere(dir.Path, query, r => r.Tenant == "org-a", out _));
    }

    [Fact]
    public void An_index_write_cut_short_by_a_crash_leaves_no_index_and_the_next_start_rebuilds_it()
    {
        using var dir = MixedSegments();
        var segments = SegmentFormat.ListSegments(dir.Path);
        string target = segments[2];
        byte[] good = File.ReadAllBytes(IndexFormat.PathFor(target));
        File.Delete(IndexFormat.PathFor(target));

        // The process dies halfway through writing the temp file: nothing is renamed, nothing wrong is left to read.
        SegmentIndexFile.Write(target, good, crashAfterBytes: good.Length / 2);
        Assert.False(File.Exists(IndexFormat.PathFor(target)));
        Assert.Contains(Directory.GetFiles(dir.Path), f => IndexFormat.IsTempName(Path.GetFileName(f)));
        Assert.Equal(FullScanWhere(dir.Path, r => r.Tenant == "org-c"),
            IndexedWhere(dir.Path, new BlockQuery { Tenants = ["org-c"] }, r => r.Tenant == "org-c", out _));

        var messages = new List<string>();
        using (var log = Fixtures.Open(dir.Path, messages, maxBytes: 4096)) Assert.True(log.WaitForIndexes(Wait));

        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => IndexFormat.IsTempName(Path.GetFileName(f)));
        Assert.Equal(good, File.ReadAllBytes(IndexFormat.PathFor(target)));
        Assert.Contains(messages, m => m.Contains("rebuilt the index of " + target));
    }

    [Fact]
    public void The_index_of_the_segment_reopened_for_appending_is_removed_at_start_and_rebuilt_when_it_closes()
    {
        using var dir = MixedSegments();
        string active = SegmentFormat.ListSegments(dir.Path)[^1];
        File.WriteAllBytes(IndexFormat.PathFor(active), [1, 2, 3]);
        using (var log = Fixtures.Open(dir.Path, maxBytes: 4096))
        {
            Assert.False(File.Exists(IndexFormat.PathFor(active)));
            for (int i = 0; i < 20; i++) Fixtures.Append(log, 5, 1000 + i * 5);
            Assert.True(log.WaitForIndexes(Wait));
        }
        Assert.NotNull(SegmentIndexFile.TryLoad(active, out _));
        using var reader = new BlockReader();
        Assert.Equal(SegmentIndexer.Build(active, reader, CancellationToken.None, out _), File.ReadAllBytes(IndexFormat.PathFor(active)));
    }

    [Fact]
    public void Retention_deletes_a_segments_index_with_it()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path, maxBytes: 4096, retention: 12_000);
        for (int i = 0; i < 60; i++)
        {
            Fixtures.Append(log, 5, i * 5);
            Assert.True(log.WaitForIndexes(Wait));
        }
        var segments = SegmentFormat.ListSegments(dir.Path).Select(s => Path.GetFileName(IndexFormat.PathFor(s))).ToHashSet();
        var indexes = Directory.GetFiles(dir.Path, "*" + IndexFormat.Extension).Select(f => Path.GetFileName(f)).ToList();
        Assert.NotEmpty(indexes);
        Assert.All(indexes, i => Assert.Contains(i, segments));
        Assert.Equal(segments.Count - 1, indexes.Count);
    }

    [Fact]
    public void Verify_reindex_rebuilds_missing_and_stale_indexes_of_closed_segments_only()
    {
        using var dir = MixedSegments(indexes: false);
        var segments = SegmentFormat.ListSegments(dir.Path);
        Assert.Empty(Directory.GetFiles(dir.Path, "*" + IndexFormat.Extension));
        File.WriteAllBytes(IndexFormat.PathFor(segments[0]), [9, 9, 9]);

        var output = new StringWriter();
        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output, reindex: true));

        foreach (var segment in segments[..^1]) Assert.NotNull(SegmentIndexFile.TryLoad(segment, out _));
        Assert.False(File.Exists(IndexFormat.PathFor(segments[^1])));
        Assert.Contains($"{segments[0]}: index: rebuilt", output.ToString());
        Assert.Contains($"{segments[^1]}: index: none (the newest segment", output.ToString());

        var again = new StringWriter();
        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], again, reindex: true));
        Assert.Contains($"{segments[1]}: index: ok", again.ToString());
    }

    [Fact]
    public void The_block_selector_chooses_from_the_index_when_valid_and_from_the_headers_otherwise()
    {
        using var dir = MixedSegments();
        var segments = SegmentFormat.ListSegments(dir.Path);
        var query = new BlockQuery { Tenants = ["org-b"] };

        var closed = BlockSelector.Select(segments[0], query);
        var newest = BlockSelector.Select(segments[^1], query);

        Assert.True(closed.FromIndex);
        Assert.True(closed.Blocks.Count < closed.TotalBlocks);
        Assert.False(newest.FromIndex);
        Assert.Equal(newest.TotalBlocks, newest.Blocks.Count); // headers know time only
        var records = new List<StoredRecord>();
        using var reader = new SegmentReader(_ => { });
        foreach (var segment in segments)
            reader.ReadBlocks(segment, BlockSelector.Select(segment, query).Blocks, (long seq, in RecordView v) => records.Add(StoredRecord.From(seq, v)));
        Assert.Equal(FullScanWhere(dir.Path, r => r.Tenant == "org-b"), records.Where(r => r.Tenant == "org-b").ToList());
    }

    [Fact]
    public void A_selection_that_no_longer_fits_the_file_falls_back_to_its_headers()
    {
        using var dir = MixedSegments();
        string segment = SegmentFormat.ListSegments(dir.Path)[0];
        var all = BlockSelector.Select(segment, BlockQuery.All).Blocks;
        var wrong = all.Select(b => b with { FirstSequence = b.FirstSequence + 1 }).ToList();
        var warnings = new List<string>();
        var records = new List<StoredRecord>();
        using var reader = new SegmentReader(warnings.Add);
        reader.ReadBlocks(segment, wrong, (long seq, in RecordView v) => records.Add(StoredRecord.From(seq, v)));

        var expected = new List<StoredRecord>();
        using var full = new SegmentReader(_ => { });
        full.ReadFile(segment, (long seq, in RecordView v) => expected.Add(StoredRecord.From(seq, v)));
        Assert.Equal(expected, records);
        Assert.Contains(warnings, w => w.Contains("is not the one its index lists"));
    }

    [Fact]
    public void Read_with_a_tenant_prints_the_same_lines_with_and_without_indexes()
    {
        using var dir = MixedSegments();
        string Run(ReadOptions o)
        {
            var stdout = new StringWriter();
            Assert.Equal(0, ReadCommand.Run(o, stdout, new StringWriter(), CancellationToken.None));
            return stdout.ToString();
        }
        var options = new ReadOptions { DataDir = dir.Path, Tenant = "org-c", Level = "Warn" };
        string indexed = Run(options);
        foreach (var idx in Directory.GetFiles(dir.Path, "*" + IndexFormat.Extension)) File.Delete(idx);
        string scanned = Run(options);

        Assert.NotEqual("", indexed);
        Assert.Equal(scanned, indexed);
    }
    [Fact]
    public void The_per_block_filter_reads_the_blocks_the_selection_chooses_and_every_block_without_an_index()
    {
        using var dir = MixedSegments();
        var query = BlockQuery.Of(long.MinValue, long.MaxValue, ["org-a"], [], ["ERROR"], [], ["astralog"], []);
        var filter = new SegmentBlockFilter(query);
        using var reader = new BlockReader();
        var segments = SegmentFormat.ListSegments(dir.Path);
        foreach (var segment in segments)
        {
            var held = new List<long>();
            using var handle = File.OpenHandle(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            long length = RandomAccess.GetLength(handle);
            int blocks = 0;
            for (long at = SegmentFormat.FileHeaderSize; at < length && reader.ReadHeader(handle, at, length, out var header) == BlockStatus.Ok; at += header.TotalLength)
            {
                blocks++;
                if (filter.MayHold(segment, at, header)) held.Add(at);
            }
            var selected = BlockSelector.Select(segment, query).Blocks.Select(b => b.Offset).ToList();
            Assert.Equal(selected, held);
            if (segment == segments[^1]) Assert.Equal(blocks, held.Count);
        }
        Assert.True(filter.SkippedByIndex > 0);
    }
    [Fact]
    public void An_index_whose_checksum_holds_but_whose_block_lies_outside_the_segment_is_refused()
    {
        using var dir = MixedSegments();
        string segment = SegmentFormat.ListSegments(dir.Path)[0];
        var bytes = File.ReadAllBytes(IndexFormat.PathFor(segment));
        // A crafted entry: an offset so large that offset + length wraps around.
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(IndexFormat.HeaderSize), ulong.MaxValue - 10);
        int crcAt = bytes.Length - IndexFormat.TrailerSize;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(crcAt), Crc32C.Compute(bytes.AsSpan(0, crcAt)));
        File.WriteAllBytes(IndexFormat.PathFor(segment), bytes);

        Assert.Null(SegmentIndexFile.TryLoad(segment, out string? whyNot));
        Assert.Contains("does not lie inside the segment", whyNot);
    }
}
