using Ingestd.Storage;

namespace Ingestd.Tests.Storage;

/// <summary>
/// Under write and memory durability a segment rotated out is fsynced off the writer thread, so a slow or failing fsync
/// of a closed file never holds up the next block; a <see cref="SegmentLog.Sync"/> still covers it.
/// </summary>
public class BackgroundFlushTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static List<long> Sequences(string dir) => Fixtures.ReadAll(dir).Select(r => r.Seq).ToList();

    [Fact]
    public async Task A_rotation_appends_the_next_block_while_the_closed_segments_fsync_is_still_held()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim();
        var files = new FaultyFiles { FlushGate = gate };
        using (var log = Fixtures.Open(dir.Path, maxBytes: 400, files: files, backgroundClose: true))
        {
            Fixtures.Append(log, 5, 0);
            var append = Task.Run(() => Fixtures.Append(log, 2, 5)); // rotates first
            await append.WaitAsync(Bound); // throws TimeoutException if the append waited for the closed segment's fsync
            Assert.Equal(0, files.Flushes);
            gate.Set();
        }
        Assert.Equal(2, SegmentFormat.ListSegments(dir.Path).Count);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), Sequences(dir.Path));
    }

    [Fact]
    public async Task Sync_returns_only_after_the_closed_segment_handed_to_the_background_is_fsynced()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim();
        var files = new FaultyFiles { FlushGate = gate };
        using var log = Fixtures.Open(dir.Path, maxBytes: 400, files: files, backgroundClose: true);
        Fixtures.Append(log, 5, 0);
        Fixtures.Append(log, 2, 5);
        Assert.True(files.FlushStarted.Wait(Bound));
        var sync = Task.Run(log.Sync);
        await Task.WhenAny(sync, Task.Delay(200));
        Assert.False(sync.IsCompleted, "Sync returned while the closed segment's fsync was held");
        gate.Set();
        await sync.WaitAsync(Bound);
        Assert.True(files.Flushes >= 2); // the closed segment, then the active one
    }

    [Fact]
    public void A_failed_background_fsync_of_a_closed_segment_is_reported_and_later_blocks_are_still_written()
    {
        using var dir = new TempDir();
        var messages = new List<string>();
        var files = new FaultyFiles { NextFlushFails = true };
        using (var log = Fixtures.Open(dir.Path, messages, maxBytes: 400, files: files, backgroundClose: true))
        {
            Fixtures.Append(log, 5, 0);
            Fixtures.Append(log, 2, 5);
            Fixtures.Append(log, 1, 7);
        }
        lock (messages) Assert.Contains(messages, m => m.Contains("fsync of closed segment") && m.Contains("may not survive a power loss"));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), Sequences(dir.Path));
    }

    [Fact]
    public void Under_fsync_durability_the_rotation_itself_fsyncs_the_closed_segment()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using var log = Fixtures.Open(dir.Path, maxBytes: 400, files: files, discardUnsynced: true);
        Fixtures.Append(log, 5, 0);
        Fixtures.Append(log, 2, 5);
        Assert.Equal(1, files.Flushes);
    }
}
