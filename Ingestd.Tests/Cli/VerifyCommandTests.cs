using Ingestd.Cli;
using Ingestd.Storage;
using Ingestd.Tests.Storage;

namespace Ingestd.Tests.Cli;

public class VerifyCommandTests
{
    [Fact]
    public void Verify_of_a_clean_log_prints_counts_and_exits_0()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 2, 3);
        }
        var segments = SegmentFormat.ListSegments(dir.Path);
        var output = new StringWriter();

        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{segments[0]}: 1 blocks, 3 records, {new FileInfo(segments[0]).Length} bytes, ok", lines[0]);
        Assert.Equal($"{segments[1]}: 1 blocks, 2 records, {new FileInfo(segments[1]).Length} bytes, ok", lines[1]);
        Assert.Equal("total: 2 segments, 2 blocks, 5 records, 0 corrupt", lines[2]);
    }

    private const string LiveTail = "(being written, or torn by a crash: the daemon's recovery truncates it)";

    private static byte[] Block(int count, long firstSeq)
    {
        using var batch = Fixtures.Batch(count, (int)firstSeq);
        using var codec = new BlockCodec();
        return codec.Encode(batch.Bytes, count, firstSeq, batch.MinEventNs, batch.MaxEventNs).ToArray();
    }

    [Fact]
    public void Verify_reports_an_incomplete_block_at_the_end_of_the_newest_segment_as_a_live_tail_not_corruption()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            path = log.ActivePath;
        }
        var block = Block(2, 3);
        Fixtures.AppendBytes(path, block.AsSpan(0, BlockCodec.HeaderSize + 5)); // as ext4 shows a pwrite in progress
        var output = new StringWriter();

        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{path}: 1 blocks, 3 records, {new FileInfo(path).Length} bytes, ok", lines[0]);
        Assert.Equal($"{path}: incomplete tail of {BlockCodec.HeaderSize + 5} bytes {LiveTail}", lines[1]);
        Assert.Equal("total: 1 segments, 1 blocks, 3 records, 0 corrupt", lines[2]);
    }

    [Fact]
    public void Verify_reports_a_partial_block_header_at_the_end_of_the_newest_segment_as_a_live_tail()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            path = log.ActivePath;
        }
        Fixtures.AppendBytes(path, Block(2, 3).AsSpan(0, 9));
        var output = new StringWriter();

        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"{path}: incomplete tail of 9 bytes {LiveTail}", output.ToString());
    }

    [Fact]
    public void Verify_reports_a_newest_segment_shorter_than_its_file_header_as_a_live_tail()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100)) Fixtures.Append(log, 3, 0);
        string path = Path.Combine(dir.Path, SegmentFormat.FileName(3));
        var header = new byte[SegmentFormat.FileHeaderSize];
        SegmentFormat.WriteFileHeader(header, 1, 3);
        File.WriteAllBytes(path, header[..10]); // the daemon is creating its next segment
        var output = new StringWriter();

        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"{path}: incomplete tail of 10 bytes {LiveTail}", output.ToString());
    }

    [Fact]
    public void Verify_reports_junk_at_the_end_of_the_newest_segment_as_corruption()
    {
        using var dir = new TempDir();
        string path;
        long length;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            path = log.ActivePath;
            length = log.BytesOnDisk;
        }
        Fixtures.AppendBytes(path, "not a block"u8); // a block being written begins with its magic
        var output = new StringWriter();

        Assert.Equal(1, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"CORRUPT: offset {length}..{length + 11} (11 bytes) skipped: truncated block header", output.ToString());
    }

    [Fact]
    public void Verify_reports_an_incomplete_block_at_the_end_of_an_older_segment_as_corruption()
    {
        using var dir = new TempDir();
        string first;
        long length;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            first = log.ActivePath;
            length = log.BytesOnDisk;
        }
        using (var log = Fixtures.Open(dir.Path, maxBytes: 1)) Fixtures.Append(log, 2, 3); // rotates: first is closed
        Fixtures.AppendBytes(first, Block(2, 3).AsSpan(0, BlockCodec.HeaderSize + 5));
        var output = new StringWriter();

        Assert.Equal(1, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"{first}: 1 blocks, 3 records, {length + BlockCodec.HeaderSize + 5} bytes, CORRUPT: "
            + $"offset {length}..{length + BlockCodec.HeaderSize + 5} ({BlockCodec.HeaderSize + 5} bytes) skipped: truncated block payload",
            output.ToString());
    }

    [Fact]
    public void Verify_waits_briefly_for_a_block_being_written_at_the_end_of_the_newest_segment()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            path = log.ActivePath;
        }
        var block = Block(2, 3);
        Fixtures.AppendBytes(path, block.AsSpan(0, BlockCodec.HeaderSize + 5));
        var output = new StringWriter();

        // Threads of their own, not the pool's: verify sleeps while it waits, and a starved pool would delay the write.
        int exit = -1;
        var verify = new Thread(() => exit = VerifyCommand.Run(dir.Path, [], output));
        verify.Start();
        Thread.Sleep(100);
        Fixtures.AppendBytes(path, block.AsSpan(BlockCodec.HeaderSize + 5)); // the write completes

        Assert.True(verify.Join(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, exit);
        Assert.Equal($"{path}: 2 blocks, 5 records, {new FileInfo(path).Length} bytes, ok",
            output.ToString().Split('\n')[0]);
    }

    [Fact]
    public void Verify_reports_a_bad_file_header_and_still_checks_the_blocks_behind_it()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 2, 3);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, 24); // first sequence: the header CRC no longer matches
        var output = new StringWriter();

        Assert.Equal(1, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"{path}: 2 blocks, 5 records, {new FileInfo(path).Length} bytes, "
            + "CORRUPT: bad file header at offset 0: file header CRC mismatch (blocks read anyway)", output.ToString());
    }

    [Fact]
    public void Verify_accepts_a_version_1_file_header()
    {
        using var dir = new TempDir();
        string path;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            path = log.ActivePath;
        }
        // Rewrite the header as version 1 wrote it: version 1, bytes 12..15 zero.
        using (var f = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.Write(f, [1, 0], 8);
            RandomAccess.Write(f, [0, 0, 0, 0], 12);
        }
        var output = new StringWriter();

        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"{path}: 1 blocks, 3 records, {new FileInfo(path).Length} bytes, ok", output.ToString());
    }

    [Fact]
    public void Verify_skips_a_segment_deleted_while_it_runs()
    {
        using var dir = new TempDir();
        using (var log = Fixtures.Open(dir.Path, maxBytes: 100))
        {
            Fixtures.Append(log, 3, 0);
            Fixtures.Append(log, 2, 3);
            Fixtures.Append(log, 2, 5);
        }
        var segments = SegmentFormat.ListSegments(dir.Path);
        // Retention deletes the second segment after verify has listed the directory, while it checks the first.
        var output = new FirstLineHook(() => File.Delete(segments[1]));

        Assert.Equal(0, VerifyCommand.Run(dir.Path, [], output));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"{segments[1]}: deleted while verifying (retention); skipped", lines[1]);
        Assert.Equal("total: 2 segments, 2 blocks, 5 records, 0 corrupt", lines[3]);
    }

    [Fact]
    public void Verify_of_a_missing_path_exits_1()
    {
        using var dir = new TempDir();
        Assert.Equal(1, VerifyCommand.Run(dir.Path, [Path.Combine(dir.Path, "missing.seg")], new StringWriter()));
    }

    /// <summary>A StringWriter that runs an action once, when the first line has been written.</summary>
    private sealed class FirstLineHook(Action action) : StringWriter
    {
        private Action? _action = action;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            var action = _action;
            _action = null;
            action?.Invoke();
        }
    }
}
