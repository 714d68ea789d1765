using Ingestd.Cli;
using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

public class SegmentLogTests
{
    [Fact]
    public void Empty_directory_opens_at_sequence_zero_with_one_segment()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path);
        Assert.Equal(0, log.NextSequence);
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(Path.Combine(dir.Path, "00000000000000000000.seg"), log.ActivePath);
        Assert.Null(log.Recovery);
    }

    [Fact]
    public void Appended_records_read_back_byte_identical_with_sequence_numbers()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 4, 3);
            Assert.Equal(7, log.NextSequence);
        }

        var records = Fixtures.ReadAll(dir.Path);
        Assert.Equal(7, records.Count);
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(i, records[i].Seq);
            Assert.Equal(Fixtures.Json(i), records[i].Json);
            Assert.Equal(Fixtures.Timestamp(i), records[i].Timestamp);
            Assert.Equal(Fixtures.BaseEventNs + i * 1_000_000_000L, records[i].EventNs);
            Assert.Equal("org-xyz", records[i].Tenant);
        }
    }

    [Fact]
    public void Segment_file_starts_with_the_documented_header()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path, clock: () => 1234)) path = log.ActivePath;
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(32, bytes.Length);
        Assert.Equal("INGSEG01"u8.ToArray(), bytes[..8]);
        Assert.Equal(2, BitConverter.ToUInt16(bytes, 8));
        Assert.Equal(32, BitConverter.ToUInt16(bytes, 10));
        Assert.True(SegmentFormat.TryParseFileHeader(bytes, out _, out _, out _)); // bytes 12..15: the header's CRC
        Assert.Equal(1234, BitConverter.ToInt64(bytes, 16));
        Assert.Equal(0ul, BitConverter.ToUInt64(bytes, 24));
    }

    [Fact]
    public void NextSequence_continues_after_reopen()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path)) Fixtures.Append(log, 5, 0);
        using (var log = Fixtures.Open(dir.Path))
        {
            Assert.Equal(5, log.NextSequence);
            Fixtures.Append(log, 2, 5);
        }
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Segment_at_max_bytes_is_rotated_before_the_next_block()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path, maxBytes: 100);
        Fixtures.Append(log, 3, 0);
        Fixtures.Append(log, 2, 3);
        Fixtures.Append(log, 4, 5);

        Assert.Equal(3, log.SegmentCount);
        Assert.Equal(
            ["00000000000000000000.seg", "00000000000000000003.seg", "00000000000000000005.seg"],
            SegmentFormat.ListSegments(dir.Path).Select(Path.GetFileName));
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Segment_older_than_max_age_is_rotated_before_the_next_block()
    {
        using var dir = new TempDir();
        long now = 1_000_000_000_000;
        using var log = Fixtures.Open(dir.Path, clock: () => now, maxAge: TimeSpan.FromMinutes(1));
        Fixtures.Append(log, 2, 0);
        now += TimeSpan.FromSeconds(59).Ticks * 100;
        Fixtures.Append(log, 2, 2);
        Assert.Equal(1, log.SegmentCount);

        now += TimeSpan.FromSeconds(1).Ticks * 100;
        Fixtures.Append(log, 2, 4);
        Assert.Equal(2, log.SegmentCount);
        Assert.EndsWith("00000000000000000004.seg", log.ActivePath);
    }

    [Fact]
    public void Segment_age_counts_from_its_creation_time_across_reopen()
    {
        using var dir = new TempDir();
        long now = 1_000_000_000_000;
        using (var log = Fixtures.Open(dir.Path, clock: () => now, maxAge: TimeSpan.FromMinutes(1))) Fixtures.Append(log, 1, 0);
        now += TimeSpan.FromMinutes(2).Ticks * 100;
        using (var log = Fixtures.Open(dir.Path, clock: () => now, maxAge: TimeSpan.FromMinutes(1)))
        {
            Fixtures.Append(log, 1, 1);
            Assert.Equal(2, log.SegmentCount);
        }
    }

    [Fact]
    public void Empty_segment_is_not_rotated_however_old()
    {
        using var dir = new TempDir();
        long now = 1_000_000_000_000;
        using (Fixtures.Open(dir.Path, clock: () => now)) { }
        now += TimeSpan.FromHours(5).Ticks * 100;
        using var log = Fixtures.Open(dir.Path, clock: () => now, maxAge: TimeSpan.FromMinutes(1));
        Fixtures.Append(log, 1, 0);
        Assert.Equal(1, log.SegmentCount);
    }

    [Fact]
    public void Retention_deletes_the_oldest_whole_segments_and_keeps_the_newest()
    {
        using var dir = new TempDir();
        var messages = new List<string>();
        using var log = Fixtures.Open(dir.Path, messages, maxBytes: 100, retention: 1);
        for (int i = 0; i < 5; i++) Fixtures.Append(log, 2, i * 2);

        // Retention below one segment's size keeps only the active segment.
        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(["00000000000000000008.seg"], SegmentFormat.ListSegments(dir.Path).Select(Path.GetFileName));
        Assert.Equal([8L, 9L], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
        Assert.Contains(messages, m => m.StartsWith("retention: deleted"));
    }

    [Fact]
    public void Retention_keeps_segments_while_the_total_fits()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path, maxBytes: 100);
        for (int i = 0; i < 4; i++) Fixtures.Append(log, 2, i * 2);
        long segmentBytes = new FileInfo(SegmentFormat.ListSegments(dir.Path)[0]).Length;
        log.Dispose();

        // Room for three full segments (plus the new active one's header): the oldest of four goes after the next rotation.
        using var limited = Fixtures.Open(dir.Path, maxBytes: 100, retention: 3 * segmentBytes + 32 + 1);
        Fixtures.Append(limited, 2, 8);
        var names = SegmentFormat.ListSegments(dir.Path).Select(Path.GetFileName).ToList();
        Assert.Equal(["00000000000000000002.seg", "00000000000000000004.seg", "00000000000000000006.seg", "00000000000000000008.seg"], names);
        Assert.Equal(limited.BytesOnDisk, SegmentFormat.ListSegments(dir.Path).Sum(p => new FileInfo(p).Length));
    }

    [Fact]
    public void Garbage_after_the_last_block_is_truncated_and_reported()
    {
        using var dir = new TempDir();
        string path;
        long goodLength;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            path = log.ActivePath;
            goodLength = log.BytesOnDisk;
        }
        Fixtures.AppendBytes(path, "this is not a block, just noise......................................"u8);

        var messages = new List<string>();
        using (var log = Fixtures.Open(dir.Path, messages))
        {
            Assert.NotNull(log.Recovery);
            Assert.Equal(path, log.Recovery!.File);
            Assert.Equal([new RecoveryFinding(RecoveryAction.Truncated, goodLength, 69, "bad block magic")], log.Recovery.Findings);
            Assert.Equal(3, log.Recovery.FirstUnsafeSequence);
            Assert.Single(messages, m => m == $"recovered {path}: truncated 69 bytes at offset {goodLength} (bad block magic)");
        }
        Assert.Equal(goodLength, new FileInfo(path).Length);
        Assert.Equal([0L, 1L, 2L], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Unreadable_tail_makes_numbering_go_on_past_the_high_water_mark_in_a_new_segment()
    {
        // The cut bytes could have been acknowledged records: their numbers must never be handed out again.
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            path = log.ActivePath;
        }
        Fixtures.AppendBytes(path, new byte[200]);

        using (var log = Fixtures.Open(dir.Path))
        {
            Assert.Equal(3 + SequenceHighWaterMark.Step, log.NextSequence);
            Fixtures.Append(log, 2, 3);
            Assert.Equal(2, log.SegmentCount);
        }
        var seqs = Fixtures.ReadAll(dir.Path).Select(r => r.Seq).ToList();
        Assert.Equal([0L, 1L, 2L, 3 + SequenceHighWaterMark.Step, 4 + SequenceHighWaterMark.Step], seqs);
    }

    [Fact]
    public void Torn_block_with_half_its_payload_is_truncated_and_its_numbers_reused()
    {
        // An incomplete last block was never acknowledged (its write never returned), so numbering simply goes on.
        using var dir = new TempDir();
        string path;
        long goodLength;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            goodLength = log.BytesOnDisk;
            Fixtures.Append(log, 3, 3);
            path = log.ActivePath;
        }
        long fullLength = new FileInfo(path).Length;
        long half = goodLength + BlockCodec.HeaderSize + (fullLength - goodLength - BlockCodec.HeaderSize) / 2;
        using (var f = new FileStream(path, FileMode.Open)) f.SetLength(half);

        using (var log = Fixtures.Open(dir.Path))
        {
            Assert.Equal([new RecoveryFinding(RecoveryAction.Truncated, goodLength, half - goodLength, "truncated block payload")],
                log.Recovery!.Findings);
            Assert.Equal(3, log.NextSequence);
            Fixtures.Append(log, 2, 3);
        }
        Assert.Equal([0L, 1L, 2L, 3L, 4L], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Flipped_payload_byte_in_the_last_block_skips_only_that_block_and_keeps_its_numbers_used()
    {
        using var dir = new TempDir();
        string path;
        long goodLength, fullLength;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            goodLength = log.BytesOnDisk;
            Fixtures.Append(log, 3, 3);
            path = log.ActivePath;
            fullLength = log.BytesOnDisk;
        }
        Fixtures.FlipByte(path, goodLength + BlockCodec.HeaderSize + 5);

        using (var reopened = Fixtures.Open(dir.Path))
        {
            Assert.Equal([new RecoveryFinding(RecoveryAction.Skipped, goodLength, fullLength - goodLength, "block payload CRC mismatch")],
                reopened.Recovery!.Findings);
            Assert.Equal(6, reopened.NextSequence);
            Assert.Equal(3, reopened.FirstUnsafeSequence);
            Fixtures.Append(reopened, 1, 6);
        }
        Assert.Equal([0L, 1L, 2L, 6L], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Bad_block_in_the_middle_of_the_active_segment_keeps_every_later_block()
    {
        // Defect: recovery cut the file at the first bad block, destroying acknowledged later blocks and reusing numbers.
        using var dir = new TempDir();
        string path;
        long secondBlock;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            secondBlock = log.BytesOnDisk;
            for (int i = 1; i < 4; i++) Fixtures.Append(log, 3, 3 * i);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, secondBlock + BlockCodec.HeaderSize + 7);

        using (var reopened = Fixtures.Open(dir.Path))
        {
            Assert.Equal(12, reopened.NextSequence);
            Assert.Equal(RecoveryAction.Skipped, Assert.Single(reopened.Recovery!.Findings).Action);
        }
        Assert.Equal([0L, 1L, 2L, 6L, 7L, 8L, 9L, 10L, 11L], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Flipped_block_header_in_the_middle_is_skipped_up_to_the_next_good_block()
    {
        using var dir = new TempDir();
        string path;
        long secondBlock;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            secondBlock = log.BytesOnDisk;
            for (int i = 1; i < 4; i++) Fixtures.Append(log, 3, 3 * i);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, secondBlock + 13); // the record count: the header CRC no longer holds

        using (var reopened = Fixtures.Open(dir.Path))
        {
            Assert.Equal(12, reopened.NextSequence);
            var finding = Assert.Single(reopened.Recovery!.Findings);
            Assert.Equal((RecoveryAction.Skipped, secondBlock, "block header CRC mismatch"), (finding.Action, finding.Offset, finding.Reason));
            Assert.Equal(3, reopened.FirstUnsafeSequence);
        }
        Assert.Equal([0L, 1L, 2L, 6L, 7L, 8L, 9L, 10L, 11L], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Short_file_header_is_rewritten_from_the_file_name()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 3, 3);
        }
        string last = Path.Combine(dir.Path, "00000000000000000003.seg");
        File.WriteAllBytes(last, "INGSEG"u8.ToArray());

        using var reopened = Fixtures.Open(dir.Path);
        Assert.Equal(RecoveryAction.HeaderRewritten, Assert.Single(reopened.Recovery!.Findings).Action);
        Assert.Equal(3, reopened.NextSequence);
        Assert.Equal(SegmentFormat.FileHeaderSize, new FileInfo(last).Length);
    }

    [Fact]
    public void Flipped_bit_in_the_file_header_keeps_the_segment_s_blocks()
    {
        // Defect: a bad magic or version discarded the whole active segment.
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 3, 3);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, 2);

        using (var reopened = Fixtures.Open(dir.Path))
        {
            Assert.Equal(RecoveryAction.HeaderRewritten, Assert.Single(reopened.Recovery!.Findings).Action);
            Assert.Equal(6, reopened.NextSequence);
        }
        Assert.Equal([0L, 1L, 2L, 3L, 4L, 5L], Fixtures.ReadAll(dir.Path).Select(r => r.Seq));
    }

    [Fact]
    public void Corrupt_block_in_an_older_segment_is_left_alone_by_open_and_reported_by_verify()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 3, 3);
        }
        string first = SegmentFormat.ListSegments(dir.Path)[0];
        Fixtures.FlipByte(first, SegmentFormat.FileHeaderSize + BlockCodec.HeaderSize + 2);
        var before = File.ReadAllBytes(first);

        using (var log = Fixtures.Open(dir.Path))
        {
            Assert.Null(log.Recovery);
            Assert.Equal(6, log.NextSequence);
        }
        Assert.Equal(before, File.ReadAllBytes(first));

        var output = new StringWriter();
        Assert.Equal(1, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"{first}: 0 blocks, 0 records, {before.Length} bytes, CORRUPT: block payload CRC mismatch at offset 32", output.ToString());
        Assert.Contains("total: 2 segments, 1 blocks, 3 records, 1 corrupt", output.ToString());
    }

    [Fact]
    public void Sync_after_creating_segments_flushes_file_and_directory()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path, maxBytes: 100);
        Fixtures.Append(log, 3, 0);
        Fixtures.Append(log, 3, 3);
        log.Sync();
        log.Sync();
        Assert.Equal(2, log.SegmentCount);
    }

    [Fact]
    public void Append_allocates_nothing_in_steady_state()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path);
        using var batch = Fixtures.Batch(50);
        for (int i = 0; i < 10; i++) log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
