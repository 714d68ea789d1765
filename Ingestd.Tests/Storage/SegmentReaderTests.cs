using System.Collections.Concurrent;
using Ingestd.Parsing.Records;
using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

public class SegmentReaderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static byte[] Block(int count, long firstSeq)
    {
        using var batch = Fixtures.Batch(count, (int)firstSeq);
        using var codec = new BlockCodec();
        return codec.Encode(batch.Bytes, count, firstSeq, batch.MinEventNs, batch.MaxEventNs).ToArray();
    }

    [Fact]
    public void Corrupt_payload_in_a_middle_block_is_skipped_with_a_warning()
    {
        using var dir = new TempDir();
        long secondBlock;
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            secondBlock = log.BytesOnDisk;
            Fixtures.Append(log, 2, 2);
            Fixtures.Append(log, 2, 4);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, secondBlock + BlockCodec.HeaderSize + 1);

        var warnings = new List<string>();
        var records = Fixtures.ReadAll(dir.Path, warnings);

        Assert.Equal([0L, 1L, 4L, 5L], records.Select(r => r.Seq));
        Assert.Equal([$"{path}: block payload CRC mismatch at offset {secondBlock}; block skipped"], warnings);
    }

    [Fact]
    public void Blocks_after_a_block_header_that_cannot_be_trusted_are_still_read()
    {
        using var dir = new TempDir();
        long secondBlock, thirdBlock;
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            secondBlock = log.BytesOnDisk;
            Fixtures.Append(log, 2, 2);
            thirdBlock = log.BytesOnDisk;
            Fixtures.Append(log, 2, 4);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, secondBlock + 6); // payload length: the header CRC fails, so its length is no guide

        var warnings = new List<string>();
        var records = Fixtures.ReadAll(dir.Path, warnings);

        Assert.Equal([0L, 1L, 4L, 5L], records.Select(r => r.Seq));
        Assert.Equal([$"{path}: offset {secondBlock}..{thirdBlock} ({thirdBlock - secondBlock} bytes) skipped: block header CRC mismatch"],
            warnings);
    }

    [Fact]
    public void Block_header_that_cannot_be_trusted_in_the_last_block_skips_the_rest_of_that_file_only()
    {
        using var dir = new TempDir();
        long secondBlock, length;
        string first;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            secondBlock = log.BytesOnDisk;
            Fixtures.Append(log, 2, 2);
            first = log.ActivePath;
            length = log.BytesOnDisk;
        }
        using (var log = Fixtures.Open(dir.Path, maxBytes: 1)) Fixtures.Append(log, 2, 4); // rotates first
        Fixtures.FlipByte(first, secondBlock + 6);

        var warnings = new List<string>();
        var records = Fixtures.ReadAll(dir.Path, warnings);

        Assert.Equal([0L, 1L, 4L, 5L], records.Select(r => r.Seq));
        Assert.Equal([$"{first}: offset {secondBlock}..{length} ({length - secondBlock} bytes) skipped: block header CRC mismatch"],
            warnings);
    }

    [Fact]
    public void Blocks_after_a_bad_file_header_are_still_read_with_a_warning()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            Fixtures.Append(log, 2, 2);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, 16); // creation time: the header CRC no longer matches

        var warnings = new List<string>();
        var records = Fixtures.ReadAll(dir.Path, warnings);

        Assert.Equal([0L, 1L, 2L, 3L], records.Select(r => r.Seq));
        Assert.Equal([$"{path}: bad file header (file header CRC mismatch); reading blocks anyway"], warnings);
    }

    [Fact]
    public async Task Follow_reads_the_blocks_after_a_bad_file_header()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, 16);

        var seen = new ConcurrentQueue<long>();
        var warnings = new ConcurrentQueue<string>();
        using var cts = new CancellationTokenSource();
        using var reader = new SegmentReader(warnings.Enqueue) { PollInterval = TimeSpan.FromMilliseconds(10) };
        var follow = Task.Run(() => reader.Follow(dir.Path, (long seq, in RecordView _) => seen.Enqueue(seq), cts.Token));

        Assert.True(SpinWait.SpinUntil(() => seen.Count == 2, Bound));
        cts.Cancel();
        await follow.WaitAsync(Bound);
        Assert.Equal([0L, 1L], seen);
        Assert.Equal([$"{path}: bad file header (file header CRC mismatch); reading blocks anyway"], warnings);
    }

    [Fact]
    public void Incomplete_block_at_the_end_of_the_newest_segment_ends_reading_with_a_note_not_a_skip()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            path = log.ActivePath;
        }
        Fixtures.AppendBytes(path, Block(2, 2).AsSpan(0, BlockCodec.HeaderSize + 5)); // as ext4 shows a pwrite in progress

        var warnings = new List<string>();
        var records = Fixtures.ReadAll(dir.Path, warnings);

        Assert.Equal([0L, 1L], records.Select(r => r.Seq));
        Assert.Equal([$"{path}: incomplete tail of {BlockCodec.HeaderSize + 5} bytes "
            + "(being written, or torn by a crash: the daemon's recovery truncates it); not read"], warnings);
    }

    [Fact]
    public void Incomplete_block_at_the_end_of_an_older_segment_is_skipped_as_corrupt()
    {
        using var dir = new TempDir();
        string first;
        long length;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            first = log.ActivePath;
            length = log.BytesOnDisk;
        }
        using (var log = Fixtures.Open(dir.Path, maxBytes: 1)) Fixtures.Append(log, 2, 2); // rotates: first is closed
        Fixtures.AppendBytes(first, Block(2, 2).AsSpan(0, BlockCodec.HeaderSize + 5));

        var warnings = new List<string>();
        var records = Fixtures.ReadAll(dir.Path, warnings);

        Assert.Equal([0L, 1L, 2L, 3L], records.Select(r => r.Seq));
        Assert.Equal([$"{first}: offset {length}..{length + BlockCodec.HeaderSize + 5} ({BlockCodec.HeaderSize + 5} bytes) "
            + "skipped: truncated block payload"], warnings);
    }

    [Fact]
    public void Blocks_outside_the_time_window_are_skipped()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 2, 0);
            Fixtures.Append(log, 2, 2);
        }
        using var reader = new SegmentReader(_ => { }) { SinceNs = Fixtures.BaseEventNs + 2_000_000_000L };
        var seqs = new List<long>();
        reader.ReadFiles(SegmentFormat.ListSegments(dir.Path), (long seq, in RecordView _) => seqs.Add(seq));
        Assert.Equal([2L, 3L], seqs);
    }

    [Fact]
    public async Task Follow_sees_records_appended_after_it_started_including_new_segments()
    {
        using var dir = new TempDir();
        long now = 1_000_000_000_000;
        using var log = Fixtures.Open(dir.Path, clock: () => Volatile.Read(ref now), maxAge: TimeSpan.FromMinutes(1));
        Fixtures.Append(log, 2, 0);

        var seen = new ConcurrentQueue<long>();
        var warnings = new ConcurrentQueue<string>();
        using var cts = new CancellationTokenSource();
        using var reader = new SegmentReader(warnings.Enqueue) { PollInterval = TimeSpan.FromMilliseconds(10) };
        var follow = Task.Run(() => reader.Follow(dir.Path, (long seq, in RecordView _) => seen.Enqueue(seq), cts.Token));

        Assert.True(SpinWait.SpinUntil(() => seen.Count == 2, Bound));
        Fixtures.Append(log, 2, 2);
        Volatile.Write(ref now, now + TimeSpan.FromMinutes(1).Ticks * 100);
        Fixtures.Append(log, 2, 4); // rotates: a new segment file
        Assert.True(SpinWait.SpinUntil(() => seen.Count == 6, Bound));
        Assert.Equal(2, log.SegmentCount);

        cts.Cancel();
        await follow.WaitAsync(Bound);
        Assert.Equal([0L, 1L, 2L, 3L, 4L, 5L], seen);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task Follow_says_which_sequences_retention_deleted_before_they_were_read()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100))
        {
            Fixtures.Append(log, 2, 0);
            Fixtures.Append(log, 2, 2);
            Fixtures.Append(log, 2, 4);
        }
        var segments = SegmentFormat.ListSegments(dir.Path);
        Assert.Equal(3, segments.Count);

        var seen = new ConcurrentQueue<long>();
        var warnings = new ConcurrentQueue<string>();
        using var cts = new CancellationTokenSource();
        using var reader = new SegmentReader(warnings.Enqueue) { PollInterval = TimeSpan.FromMilliseconds(10) };
        // Retention deletes the second segment while the reader is still in the first.
        RecordHandler handler = (long seq, in RecordView _) =>
        {
            seen.Enqueue(seq);
            if (seq == 1) File.Delete(segments[1]);
        };
        var follow = Task.Run(() => reader.Follow(dir.Path, handler, cts.Token));

        Assert.True(SpinWait.SpinUntil(() => seen.Count == 4, Bound));
        cts.Cancel();
        await follow.WaitAsync(Bound);
        Assert.Equal([0L, 1L, 4L, 5L], seen);
        Assert.Equal([$"{segments[2]}: sequences 2..3 skipped: their segments were deleted by retention before they were read, or the numbers were left unused after a storage fault"], warnings);
    }

    [Fact]
    public async Task Follow_waits_for_a_partly_written_block_without_warning()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path)) path = log.ActivePath;

        using var batch = Fixtures.Batch(3);
        byte[] block;
        using (var codec = new BlockCodec()) block = codec.Encode(batch.Bytes, 3, 0, batch.MinEventNs, batch.MaxEventNs).ToArray();

        var seen = new ConcurrentQueue<long>();
        var warnings = new ConcurrentQueue<string>();
        int idles = 0;
        using var cts = new CancellationTokenSource();
        using var reader = new SegmentReader(warnings.Enqueue) { PollInterval = TimeSpan.FromMilliseconds(10) };
        var follow = Task.Run(() => reader.Follow(dir.Path, (long seq, in RecordView _) => seen.Enqueue(seq), cts.Token,
            idle: () => Interlocked.Increment(ref idles)));

        Fixtures.AppendBytes(path, block.AsSpan(0, BlockCodec.HeaderSize + 3));
        int idlesAfterPartial = Volatile.Read(ref idles) + 3;
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref idles) >= idlesAfterPartial, Bound));
        Assert.Empty(seen);

        Fixtures.AppendBytes(path, block.AsSpan(BlockCodec.HeaderSize + 3));
        Assert.True(SpinWait.SpinUntil(() => seen.Count == 3, Bound));

        cts.Cancel();
        await follow.WaitAsync(Bound);
        Assert.Empty(warnings);
    }
}
