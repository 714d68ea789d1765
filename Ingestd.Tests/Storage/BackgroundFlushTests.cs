using Ingestd.Storage;
using Ingestd.Storage.Index;

namespace Ingestd.Tests.Storage;

/// <summary>
/// Under write and memory durability a segment rotated out is fsynced off the writer thread, so a slow or failing fsync
/// of a closed file never holds up the next block; a <see cref="SegmentLog.Sync"/> still covers it.
/// </summary>
/// <remarks>
/// <see cref="FaultyFiles.FlushGate"/> holds the fsyncs of segment files; every test opens it in a finally, since the
/// log's Dispose waits for the fsyncs it was handed.
/// </remarks>
public class BackgroundFlushTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static List<long> Sequences(string dir) => Fixtures.ReadAll(dir).Select(r => r.Seq).ToList();

    // One block fills a segment, so every append after the first rotates first.
    private const long OneBlock = SegmentFormat.FileHeaderSize + 1;

    private static SegmentLog OpenSmall(string dir, FaultyFiles files, List<string>? messages = null, long retention = 0)
        => Fixtures.Open(dir, messages, maxBytes: OneBlock, retention: retention, files: files, backgroundClose: true);

    [Fact]
    public async Task A_rotation_appends_the_next_block_while_the_closed_segments_fsync_is_still_held()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim();
        var files = new FaultyFiles { FlushGate = gate };
        using (var log = OpenSmall(dir.Path, files))
        {
            try
            {
                Fixtures.Append(log, 5, 0);
                var append = Task.Run(() => Fixtures.Append(log, 2, 5)); // rotates first
                await append.WaitAsync(Bound); // throws TimeoutException if the append waited for the closed segment's fsync
                Assert.Equal(0, files.Flushes);
            }
            finally
            {
                gate.Set();
            }
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
        using var log = OpenSmall(dir.Path, files);
        try
        {
            Fixtures.Append(log, 5, 0);
            Fixtures.Append(log, 2, 5);
            await Task.Run(() => files.FlushStarted.Wait()).WaitAsync(Bound);
            var sync = Task.Run(log.Sync);
            await Task.WhenAny(sync, Task.Delay(200));
            Assert.False(sync.IsCompleted, "Sync returned while the closed segment's fsync was held");
            gate.Set();
            await sync.WaitAsync(Bound);
            Assert.Equal(2, files.Flushes); // the closed segment, then the active one
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public void A_failed_background_fsync_is_logged_as_a_possible_loss_and_thrown_by_the_next_Sync()
    {
        using var dir = new TempDir();
        var messages = new List<string>();
        var files = new FaultyFiles();
        using var log = OpenSmall(dir.Path, files, messages);
        Fixtures.Append(log, 5, 0);
        files.NextFlushFails = true; // after the first append, whose high-water mark fsync would take it
        Fixtures.Append(log, 2, 5);
        Assert.Throws<SegmentSyncException>(log.Sync);
        lock (messages) Assert.Contains(messages, m => m.Contains("fsync of closed segment") && m.Contains("may not survive a power loss"));
        log.Sync(); // reported once, not again
    }

    [Fact]
    public void After_a_failed_background_fsync_the_next_append_fails_unwritten_and_the_one_after_is_stored()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using (var log = OpenSmall(dir.Path, files))
        {
            Fixtures.Append(log, 5, 0);
            files.NextFlushFails = true;
            Fixtures.Append(log, 2, 5);
            Assert.True(log.WaitForBackgroundFlushes(Bound));
            var e = Assert.Throws<SegmentSyncException>(() => Fixtures.Append(log, 1, 7));
            Assert.Equal(StorageErrorKind.Fsync, e.Kind);
            Fixtures.Append(log, 1, 8);
        }
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Sequences(dir.Path)); // the refused block took no sequence number
    }

    [Fact]
    public void A_closed_segment_whose_background_fsync_failed_gets_no_index()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        string closed;
        using (var log = OpenSmall(dir.Path, files))
        {
            Fixtures.Append(log, 5, 0);
            closed = log.ActivePath;
            files.NextFlushFails = true;
            Fixtures.Append(log, 2, 5);
            Assert.True(log.WaitForBackgroundFlushes(Bound));
            Assert.True(log.WaitForIndexes(Bound));
        }
        Assert.False(File.Exists(IndexFormat.PathFor(closed)));
    }

    [Fact]
    public void A_closed_segment_fsynced_in_the_background_gets_its_index()
    {
        using var dir = new TempDir();
        string closed;
        using (var log = OpenSmall(dir.Path, new FaultyFiles()))
        {
            Fixtures.Append(log, 5, 0);
            closed = log.ActivePath;
            Fixtures.Append(log, 2, 5);
            Assert.True(log.WaitForBackgroundFlushes(Bound));
            Assert.True(log.WaitForIndexes(Bound));
        }
        Assert.True(File.Exists(IndexFormat.PathFor(closed)));
    }

    [Fact]
    public async Task Retention_does_not_delete_a_segment_the_flusher_still_holds_open()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim();
        var files = new FaultyFiles { FlushGate = gate };
        string first;
        using (var log = OpenSmall(dir.Path, files, retention: 1))
        {
            try
            {
                Fixtures.Append(log, 5, 0);
                first = log.ActivePath;
                var append = Task.Run(() => Fixtures.Append(log, 5, 5)); // rotates; retention wants the first segment gone
                await Task.Run(() => files.FlushStarted.Wait()).WaitAsync(Bound);
                await Task.WhenAny(append, Task.Delay(200));
                gate.Set();
                await append.WaitAsync(Bound);
            }
            finally
            {
                gate.Set();
            }
        }
        Assert.False(File.Exists(first));
        Assert.Empty(files.DeletedWhileOpen);
    }

    [Fact]
    public async Task Dispose_fsyncs_and_closes_the_closed_segments_still_queued()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim();
        var files = new FaultyFiles { FlushGate = gate };
        var log = OpenSmall(dir.Path, files);
        Task? dispose = null;
        try
        {
            Fixtures.Append(log, 5, 0);
            Fixtures.Append(log, 5, 5);
            Fixtures.Append(log, 5, 10); // two closed segments queued behind the gate
            dispose = Task.Run(log.Dispose);
            await Task.WhenAny(dispose, Task.Delay(100));
            Assert.False(dispose.IsCompleted, "Dispose returned while the closed segments' fsyncs were held");
            gate.Set();
            await dispose.WaitAsync(Bound);
        }
        finally
        {
            gate.Set();
            if (dispose is null) log.Dispose();
        }
        Assert.Equal(2, files.Flushes);
        Assert.Empty(OpenFiles.Under(dir.Path));
    }

    [Fact]
    public async Task Dispose_gives_up_after_its_bound_when_a_closed_segments_fsync_never_returns()
    {
        using var dir = new TempDir();
        using var gate = new ManualResetEventSlim();
        var files = new FaultyFiles { FlushGate = gate };
        var messages = new List<string>();
        var flusher = new BackgroundFlusher(files, m => { lock (messages) messages.Add(m); }, stopWait: TimeSpan.FromMilliseconds(200));
        string path = Path.Combine(dir.Path, SegmentFormat.FileName(0));
        try
        {
            flusher.SyncAndClose(files.Create(path), path, afterSync: null);
            await Task.Run(flusher.Dispose).WaitAsync(Bound); // a disk that never answers must not hang the stop
            lock (messages) Assert.Contains(messages, m => m.Contains("still not done"));
        }
        finally
        {
            gate.Set();
        }
        Assert.True(flusher.WaitIdle(Bound)); // the fsync that was held still completes and the file is closed
    }

    [Fact]
    public void Under_fsync_durability_the_rotation_itself_fsyncs_the_closed_segment()
    {
        using var dir = new TempDir();
        var files = new FaultyFiles();
        using var log = Fixtures.Open(dir.Path, maxBytes: OneBlock, files: files, discardUnsynced: true);
        Fixtures.Append(log, 5, 0);
        Fixtures.Append(log, 2, 5);
        Assert.Equal(1, files.Flushes);
    }
}
