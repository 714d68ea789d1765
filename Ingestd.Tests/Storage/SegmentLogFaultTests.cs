using Ingestd.Cli;
using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

/// <summary>
/// The segment log under disk faults injected through <see cref="ISegmentFiles"/>: a failed call changes nothing,
/// the next one works once the fault is gone, nothing written is lost and no sequence number is used twice.
/// </summary>
public class SegmentLogFaultTests
{
    private static void AssertAppendFails(SegmentLog log, int count, int first)
        => Assert.ThrowsAny<IOException>(() => Fixtures.Append(log, count, first));

    private static List<long> Sequences(string dir) => Fixtures.ReadAll(dir).Select(r => r.Seq).ToList();

    [Fact]
    public void Disk_full_at_an_age_rotation_keeps_the_old_segment_active_and_loses_nothing_once_space_returns()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        long now = 0;
        using (var log = Fixtures.Open(dir.Path, clock: () => now, maxAge: TimeSpan.FromSeconds(1), files: files))
        {
            Fixtures.Append(log, 3, 0);
            string first = log.ActivePath;
            now = 2_000_000_000;
            files.DiskFull = true;
            AssertAppendFails(log, 2, 3);
            Assert.Equal(first, log.ActivePath);
            Assert.Equal(3, log.NextSequence);
            files.DiskFull = false;
            Fixtures.Append(log, 2, 3);
            Fixtures.Append(log, 2, 5);
            log.Sync();
        }
        Assert.Equal([0L, 1L, 2L, 3L, 4L, 5L, 6L], Sequences(dir.Path));
        using var reopened = Fixtures.Open(dir.Path);
        Assert.Null(reopened.Recovery);
        Assert.Equal(7, reopened.NextSequence);
    }

    [Fact]
    public void Failed_segment_creation_leaves_no_file_behind_and_the_next_rotation_succeeds()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100, files: files))
        {
            Fixtures.Append(log, 3, 0);
            files.DiskFull = true; // the new segment's header write fails
            for (int i = 0; i < 3; i++) AssertAppendFails(log, 2, 3);
            Assert.Single(SegmentFormat.ListSegments(dir.Path));
            files.DiskFull = false;
            Fixtures.Append(log, 2, 3);
            Assert.Equal(2, log.SegmentCount);
        }
        Assert.Equal([0L, 1L, 2L, 3L, 4L], Sequences(dir.Path));
    }

    [Fact]
    public void Leftover_file_of_a_failed_creation_does_not_block_the_next_rotation()
    {
        // Defect: every later append failed with "file already exists" until a restart.
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using var log = Fixtures.Open(dir.Path, maxBytes: 100, files: files);
        Fixtures.Append(log, 3, 0);
        File.WriteAllBytes(Path.Combine(dir.Path, SegmentFormat.FileName(3)), []);
        Fixtures.Append(log, 2, 3);
        Assert.Equal(Path.Combine(dir.Path, SegmentFormat.FileName(3)), log.ActivePath);
    }

    [Fact]
    public void Failed_rotations_do_not_make_retention_delete_more_than_its_rule_says()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        long segmentBytes;
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100, files: files))
        {
            Fixtures.Append(log, 3, 0);
            segmentBytes = log.BytesOnDisk;
        }
        long retention = segmentBytes * 3 + 10; // room for three segments
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100, retention: retention, files: files))
        {
            Fixtures.Append(log, 3, 3);
            files.CreateFails = true;
            for (int i = 0; i < 5; i++) AssertAppendFails(log, 3, 6);
            files.CreateFails = false;
            Fixtures.Append(log, 3, 6);
            Assert.Equal(3, log.SegmentCount);
        }
        Assert.Equal([0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L], Sequences(dir.Path));
    }

    [Fact]
    public void Partial_write_on_a_full_disk_is_cut_off_so_the_next_block_lands_right_after_the_last_good_one()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        string path;
        using (var log = Fixtures.Open(dir.Path, files: files))
        {
            Fixtures.Append(log, 3, 0);
            long good = log.BytesOnDisk;
            path = log.ActivePath;
            files.DiskFull = true;
            files.PartialBytes = 100;
            AssertAppendFails(log, 20, 3);
            Assert.Equal(good, new FileInfo(path).Length);
            files.DiskFull = false;
            Fixtures.Append(log, 1, 3);
        }
        var output = new StringWriter();
        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));
        Assert.Equal([0L, 1L, 2L, 3L], Sequences(dir.Path));
    }

    [Fact]
    public void Partial_write_whose_cut_also_fails_is_cut_before_the_next_block()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 400, files: files))
        {
            Fixtures.Append(log, 3, 0);
            files.DiskFull = true;
            files.PartialBytes = 100;
            files.SetLengthFails = true;
            AssertAppendFails(log, 20, 3);
            files.DiskFull = false;
            files.SetLengthFails = false;
            Fixtures.Append(log, 1, 3);
            Fixtures.Append(log, 5, 4); // rotates: the closed segment must end with its last good block
            Fixtures.Append(log, 1, 9);
        }
        var output = new StringWriter();
        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Sequences(dir.Path));
    }

    [Fact]
    public void Failed_fsync_gives_up_the_file_and_the_next_block_starts_a_new_segment()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using (var log = Fixtures.Open(dir.Path, files: files))
        {
            Fixtures.Append(log, 3, 0);
            string first = log.ActivePath;
            files.NextFlushFails = true;
            Assert.Throws<SegmentSyncException>(log.Sync);
            Fixtures.Append(log, 2, 3);
            Assert.NotEqual(first, log.ActivePath);
            Assert.Equal(Path.Combine(dir.Path, SegmentFormat.FileName(3)), log.ActivePath);
            log.Sync();
        }
        // Under write durability the blocks were acknowledged before the fsync: they stay.
        Assert.Equal([0L, 1L, 2L, 3L, 4L], Sequences(dir.Path));
    }

    [Fact]
    public void Failed_fsync_under_fsync_durability_discards_the_unsynced_blocks_and_never_reuses_their_numbers()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using (var log = Fixtures.Open(dir.Path, files: files, discardUnsynced: true))
        {
            Fixtures.Append(log, 3, 0);
            log.Sync();
            Fixtures.Append(log, 2, 3); // not acknowledged: its fsync fails
            files.NextFlushFails = true;
            Assert.Throws<SegmentSyncException>(log.Sync);
            Fixtures.Append(log, 1, 5);
            log.Sync();
        }
        Assert.Equal([0L, 1L, 2L, 5L], Sequences(dir.Path));
        var output = new StringWriter();
        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));
    }

    [Fact]
    public void Failed_fsync_of_an_empty_segment_replaces_it()
    {
        // Its successor would have the same name: the file is created anew rather than written on. (With no segment
        // in the directory, numbering starts at the recorded bound, 1000.)
        using var dir = new TempDir();
        using (var mark = SequenceHighWaterMark.Open(dir.Path, SystemSegmentFiles.Instance)) mark.Raise(1000);
        var files = new FaultyFiles();
        using (var log = Fixtures.Open(dir.Path, files: files, discardUnsynced: true))
        {
            files.NextFlushFails = true;
            Assert.Throws<SegmentSyncException>(log.Sync);
            Fixtures.Append(log, 1, 0);
            log.Sync();
            Assert.Equal(1, log.SegmentCount);
        }
        Assert.Equal([1000L], Sequences(dir.Path));
    }

    [Fact]
    public void Disk_full_when_the_first_segment_is_created_opens_anyway_and_creates_it_with_the_next_write()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles { CreateFails = true };
        var messages = new List<string>();
        using (var log = Fixtures.Open(dir.Path, messages, files: files))
        {
            Assert.Equal(0, log.SegmentCount);
            AssertAppendFails(log, 1, 0);
            files.CreateFails = false;
            Fixtures.Append(log, 2, 0);
        }
        Assert.Contains(messages, m => m.StartsWith("could not create the first segment"));
        Assert.Equal([0L, 1L], Sequences(dir.Path));
    }

    [Fact]
    public void Sequence_high_water_mark_is_raised_before_numbers_past_it_are_used()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path)) Fixtures.Append(log, 3, 0);
        using var mark = SequenceHighWaterMark.Open(dir.Path, SystemSegmentFiles.Instance);
        Assert.Equal(3 + SequenceHighWaterMark.Step, mark.Bound);
    }

    [Fact]
    public void Sequence_high_water_mark_is_raised_ahead_on_the_flusher_once_half_the_reservation_is_used()
    {
        // The writer raised it to 3 + 100 at the first append; at 54 numbers (past half) the flusher raises it by a
        // whole reservation from the old bound, 203 (the writer itself would have raised it to 54 + 100).
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, reservation: 100))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 50, 3);
            Assert.Equal(103, BoundOnDisk(dir.Path));
            Fixtures.Append(log, 1, 53);
            Assert.True(log.WaitForBackgroundFlushes(TimeSpan.FromSeconds(10)));
            Assert.Equal(203, BoundOnDisk(dir.Path));
        }
        Assert.Equal(Enumerable.Range(0, 54).Select(i => (long)i), Sequences(dir.Path));
    }

    [Fact]
    public void Writer_raises_the_high_water_mark_itself_when_the_raise_ahead_failed()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        var messages = new List<string>();
        using (var log = Fixtures.Open(dir.Path, messages, files: files, reservation: 100))
        {
            Fixtures.Append(log, 3, 0);
            files.NextFlushFails = true; // the flusher's fsync of the mark
            Fixtures.Append(log, 51, 3);
            Assert.True(log.WaitForBackgroundFlushes(TimeSpan.FromSeconds(10)));
            // The failed raise's slot may be in the file (its fsync failed, not its write): the log still counts 103.
            Fixtures.Append(log, 50, 54); // needs 104 > 103: raised on the writer, before any number past 103 is used
            Assert.Equal(204, BoundOnDisk(dir.Path));
        }
        Assert.Contains(messages, m => m.StartsWith("raising the sequence high-water mark ahead of need failed"));
        Assert.Equal(Enumerable.Range(0, 104).Select(i => (long)i), Sequences(dir.Path));
    }

    private static long BoundOnDisk(string dir)
    {
        using var mark = SequenceHighWaterMark.Open(dir, SystemSegmentFiles.Instance);
        return mark.Bound;
    }

    [Fact]
    public void Sequence_high_water_mark_survives_a_torn_slot()
    {
        using var dir = new TempDir();
        using (var mark = SequenceHighWaterMark.Open(dir.Path, SystemSegmentFiles.Instance))
        {
            mark.Raise(100);
            mark.Raise(200);
        }
        Fixtures.FlipByte(Path.Combine(dir.Path, SequenceHighWaterMark.FileName), 0 + 20); // the newer slot (generation 2)
        using var reopened = SequenceHighWaterMark.Open(dir.Path, SystemSegmentFiles.Instance);
        Assert.Equal(100, reopened.Bound);
    }

    [Fact]
    public void Failed_high_water_mark_write_fails_the_append_and_changes_nothing()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using var log = Fixtures.Open(dir.Path, files: files);
        files.DiskFull = true;
        AssertAppendFails(log, 1, 0);
        Assert.Equal(0, log.NextSequence);
        files.DiskFull = false;
        Fixtures.Append(log, 1, 0);
        Assert.Equal(1, log.NextSequence);
    }
}
