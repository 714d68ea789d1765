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

    [Fact]
    public void Verify_reports_a_torn_tail_with_its_offset_and_exits_1()
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
        Fixtures.AppendBytes(path, "BLK1 torn"u8);
        var output = new StringWriter();

        Assert.Equal(1, VerifyCommand.Run(dir.Path, [], output));
        Assert.Contains($"CORRUPT: offset {length}..{length + 9} (9 bytes) skipped: truncated block header", output.ToString());
    }

    [Fact]
    public void Verify_lists_the_range_skipped_past_an_untrusted_block_header_and_checks_the_blocks_after_it()
    {
        using var dir = new TempDir();
        string path;
        long second, third;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            second = log.BytesOnDisk;
            Fixtures.Append(log, 2, 3);
            third = log.BytesOnDisk;
            Fixtures.Append(log, 2, 5);
            path = log.ActivePath;
        }
        Fixtures.FlipByte(path, second); // the magic
        var output = new StringWriter();

        Assert.Equal(1, VerifyCommand.Run(dir.Path, [], output));
        // The sequence gap after the skipped range (3 expected, 5 found) is its consequence, not a second finding.
        Assert.Equal($"{path}: 2 blocks, 5 records, {new FileInfo(path).Length} bytes, "
            + $"CORRUPT: offset {second}..{third} ({third - second} bytes) skipped: bad block magic",
            output.ToString().Split('\n')[0]);
        Assert.Contains("total: 1 segments, 2 blocks, 5 records, 1 corrupt", output.ToString());
    }

    [Fact]
    public void Verify_reports_a_sequence_gap_within_a_file()
    {
        using var dir = new TempDir();
        string path;
        long second;
        using (var log = Fixtures.Open(dir.Path))
        {
            Fixtures.Append(log, 3, 0);
            second = log.BytesOnDisk;
            Fixtures.Append(log, 3, 3);
            path = log.ActivePath;
        }
        // Re-sign the second block's header with a first sequence that skips one.
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(BlockStatus.Ok, BlockCodec.ReadHeader(bytes.AsSpan((int)second), out var header));
        BlockCodec.WriteHeader(bytes.AsSpan((int)second), header with { FirstSequence = 4 });
        File.WriteAllBytes(path, bytes);
        var output = new StringWriter();

        Assert.Equal(1, VerifyCommand.Run(dir.Path, [path], output));
        Assert.Contains($"sequence number does not follow the previous block (expected 3, found 4) at offset {second}", output.ToString());
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
