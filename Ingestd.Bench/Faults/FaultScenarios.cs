using System.Globalization;

namespace Ingestd.Bench.Faults;

/// <summary>
/// The scenarios, in the order they run. Each fault happens while the load runs (except the bit flips, which
/// need the daemon down); durations are short so that the whole run stays under about three minutes.
/// </summary>
internal static class FaultScenarios
{
    private const string Disk = "size=4m";

    public static IReadOnlyList<FaultScenario> All { get; } =
    [
        new("disk-full-age-rotation",
            "disk full when a segment is due by age (500ms), freed as soon as the rotation was tried; later full for 1.5 s; durability fsync",
            Disk,
            """
            durability = "fsync"
            segment_max_age = "500ms"
            """,
            UnderLoad((FullUntilRotationTried, 0.6), (Do(FillDisk), 1.5), (Do(FreeDisk), 2))),

        new("disk-full-size-rotation",
            "disk full when the segment is at its size limit (32KiB), freed as soon as the rotation was tried; later full for 1.5 s; durability write",
            Disk,
            """
            durability = "write"
            segment_max_bytes = "32KiB"
            """,
            UnderLoad((run => AtSizeLimit(run, 32 * 1024, FillDisk, FreeDisk, 0.3), 0.6), (Do(FillDisk), 1.5), (Do(FreeDisk), 2))),

        new("inodes-exhausted",
            "no inode left (segment creation fails) then freed, three times during load (0.7 s, 0.7 s, 1.5 s), rotating by age (500ms); durability write",
            Disk + ",nr_inodes=64",
            """
            durability = "write"
            segment_max_age = "500ms"
            """,
            Cycles(ExhaustInodes, FreeInodes)),

        new("partial-write",
            "disk filled to 8 KiB free, so a block write is cut short, then freed, three times during load; rotating by size (64KiB); durability write",
            Disk,
            """
            durability = "write"
            segment_max_bytes = "64KiB"
            """,
            Cycles(run =>
            {
                long filled = run.Disk.FillSpace();
                run.Disk.LeaveFree(8 * 1024);
                run.Mark($"disk full but 8 KiB ({filled / 1024} KiB filler)");
            }, FreeDisk)),

        new("retention-full",
            "retention_max_bytes 2MiB, more than all segments ever written (checked), so nothing may be deleted; no inode left for 1.5 s "
                + "when the segment is at its size limit (32KiB), then the disk full for 0.4 s; durability write",
            Disk + ",nr_inodes=64",
            """
            durability = "write"
            segment_max_bytes = "32KiB"
            retention_max_bytes = "2MiB"
            """,
            UnderLoad((run => AtSizeLimit(run, 32 * 1024, ExhaustInodes, FreeInodes, 1.5), 0.6), (Do(FillDisk), 0.4), (Do(FreeDisk), 2)),
            RetentionMaxBytes: 2 * 1024 * 1024),

        new("bitflip-payload",
            "kill -9 after the load, one bit flipped in the payload of a middle block of the newest segment, restart",
            Disk,
            """
            durability = "write"
            block_max_bytes = "8KiB"
            """,
            LoadThenKill,
            run => FlipInNewestSegment(run, FlipPlace.Payload)),

        new("bitflip-block-header",
            "kill -9 after the load, one bit flipped in the header of a middle block of the newest segment, restart",
            Disk,
            """
            durability = "write"
            block_max_bytes = "8KiB"
            """,
            LoadThenKill,
            run => FlipInNewestSegment(run, FlipPlace.BlockHeader)),

        new("bitflip-file-header",
            "kill -9 after the load, one bit flipped in the file header (magic) of the newest segment, restart",
            Disk,
            """
            durability = "write"
            block_max_bytes = "8KiB"
            """,
            LoadThenKill,
            run => FlipInNewestSegment(run, FlipPlace.FileHeader)),

        new("kill9-x3",
            "kill -9 during load, read back, restart; three times; durability write",
            Disk,
            """
            durability = "write"
            """,
            async run =>
            {
                run.StartLoad();
                for (int round = 1; round <= 3; round++)
                {
                    await ScenarioRun.Wait(1.5);
                    run.KillDaemon();
                    run.Snapshot($"after kill -9 #{round}");
                    run.StartDaemon($"restart #{round}");
                }
                await ScenarioRun.Wait(1);
                await run.StopLoadAsync();
            }),

        new("read-only",
            "read-only remount during load, then read-write again, three times (0.7 s, 0.7 s, 1.5 s), rotating by age (500ms); durability write",
            Disk,
            """
            durability = "write"
            segment_max_age = "500ms"
            """,
            Cycles(MakeReadOnly, run =>
            {
                run.Disk.MakeWritable();
                run.Mark("read-write again");
            })),
    ];

    // Load for 1.5 s, then each step and its pause; the last step undoes the fault, and the load goes on after it.
    private static Func<ScenarioRun, Task> UnderLoad(params (Func<ScenarioRun, Task> Do, double Then)[] steps) => async run =>
    {
        run.StartLoad();
        await ScenarioRun.Wait(1.5);
        foreach (var (step, then) in steps)
        {
            await step(run);
            run.FaultUndoneAt = run.Clock.Elapsed.TotalSeconds;
            await ScenarioRun.Wait(then);
        }
        await run.StopLoadAsync();
        run.FaultLoadStoppedAt = run.Clock.Elapsed.TotalSeconds;
    };

    private static Func<ScenarioRun, Task> Do(Action<ScenarioRun> action) => run =>
    {
        action(run);
        return Task.CompletedTask;
    };

    // Each fault outlasts segment_max_age (500ms), so a rotation is tried while it lasts.
    private static Func<ScenarioRun, Task> Cycles(Action<ScenarioRun> on, Action<ScenarioRun> off)
        => UnderLoad((Do(on), 0.7), (Do(off), 0.6), (Do(on), 0.7), (Do(off), 0.6), (Do(on), 1.5), (Do(off), 2));

    /// <summary>
    /// Fills the disk while the load runs and frees it as soon as the daemon has created the next segment file
    /// (an age rotation tried on the full disk), at most 2 s later: the moment right after a failed rotation.
    /// </summary>
    private static async Task FullUntilRotationTried(ScenarioRun run)
    {
        string? before = NewestSegment(run.Disk.DataDir);
        FillDisk(run);
        string? created = await WaitForSegmentAfter(run, before, seconds: 2);
        run.Mark(created is null ? "no rotation tried within 2 s" : $"rotation tried: {created} created ({Length(run, created)} bytes)");
        FreeDisk(run);
    }

    /// <summary>
    /// Brings the active segment to its size limit with the load held (single requests until the newest segment
    /// has at least <paramref name="limit"/> bytes), so that the very next block rotates; does the fault; lets the
    /// load go on; waits (at most 2 s) for the daemon to log the failed rotation, holds the fault
    /// <paramref name="hold"/> seconds more, undoes it.
    /// </summary>
    private static async Task AtSizeLimit(ScenarioRun run, long limit, Action<ScenarioRun> fault, Action<ScenarioRun> undo, double hold)
    {
        var load = run.Load;
        load.Pause();
        await load.WaitIdleAsync();
        string? active = NewestSegment(run.Disk.DataDir);
        var topUp = System.Diagnostics.Stopwatch.StartNew();
        int sent = 0;
        while (active is not null && Length(run, active) < limit && topUp.Elapsed < TimeSpan.FromSeconds(5))
        {
            await load.SendOneAsync();
            sent++;
            // The request that found the segment full rotated it: go on filling the new one.
            active = NewestSegment(run.Disk.DataDir);
        }
        run.Mark($"load held, {sent} single requests brought {active} to {(active is null ? 0 : Length(run, active))} bytes");
        int failures = run.DaemonLogCount(WriteFailed);
        fault(run);
        load.Resume();
        // The first block after the hold finds the segment full, so the first failure is the rotation's.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (run.DaemonLogCount(WriteFailed) == failures && waited.Elapsed < TimeSpan.FromSeconds(2)) await Task.Delay(2);
        run.Mark(run.DaemonLogCount(WriteFailed) > failures ? $"rotation failed: {LastLine(run, WriteFailed)}" : "no failure logged within 2 s");
        await ScenarioRun.Wait(hold);
        undo(run);
    }

    private const string WriteFailed = "segment write failed";

    private static string LastLine(ScenarioRun run, string containing)
    {
        string line = run.DaemonLogLines(containing).LastOrDefault() ?? "";
        return line.Length <= 160 ? line : line[..160] + "…";
    }

    private static string? NewestSegment(string dataDir)
        => Directory.GetFiles(dataDir, "*.seg").Select(Path.GetFileName).Order(StringComparer.Ordinal).LastOrDefault();

    private static long Length(ScenarioRun run, string segment)
    {
        try { return new FileInfo(Path.Combine(run.Disk.DataDir, segment)).Length; }
        catch (FileNotFoundException) { return 0; }
    }

    private static async Task<string?> WaitForSegmentAfter(ScenarioRun run, string? before, double seconds)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed.TotalSeconds < seconds)
        {
            string? newest = NewestSegment(run.Disk.DataDir);
            if (newest is not null && (before is null || string.CompareOrdinal(newest, before) > 0)) return newest;
            await Task.Delay(2);
        }
        return null;
    }

    private static void FillDisk(ScenarioRun run)
    {
        long filled = run.Disk.FillSpace();
        run.Mark($"disk full ({filled / 1024} KiB filler)");
    }

    private static void FreeDisk(ScenarioRun run)
    {
        run.Disk.FreeSpace();
        run.Mark("disk freed");
    }

    private static void MakeReadOnly(ScenarioRun run)
    {
        if (run.Disk.MakeReadOnly() is not string refused)
        {
            run.Mark("remount,ro");
            return;
        }
        run.Mark("read-only bind mount");
        const string why = "remount,ro was refused, so a read-only bind mount on the data directory stood in: "
            + "creating, deleting and renaming files fail with EROFS, the open segment stays writable. The kernel said: ";
        if (!run.Notes.Any(n => n.StartsWith(why, StringComparison.Ordinal))) run.Notes.Add(why + refused);
    }

    private static void ExhaustInodes(ScenarioRun run)
    {
        int files = run.Disk.FillInodes();
        run.Mark($"inodes exhausted ({files} files)");
    }

    private static void FreeInodes(ScenarioRun run)
    {
        run.Disk.FreeInodes();
        run.Mark("inodes freed");
    }

    // "kill -9 after acknowledgements": every answer is in before the kill, so no block is torn and
    // the only damage recovery meets is the flipped bit.
    private static async Task LoadThenKill(ScenarioRun run)
    {
        run.StartLoad();
        await ScenarioRun.Wait(1.5);
        // A busy machine may answer only a few requests in 1.5 s (seen: 4, at load average 19), too few for the three
        // blocks a flip in a middle block needs: load on until the newest segment has them, for at most 20 s more.
        for (int i = 0; i < 80 && NewestSegmentBlockCount(run) < 3; i++) await ScenarioRun.Wait(0.25);
        await run.StopLoadAsync();
        run.KillDaemon();
    }

    private static int NewestSegmentBlockCount(ScenarioRun run)
    {
        var segments = Directory.GetFiles(run.Disk.DataDir, "*.seg");
        if (segments.Length == 0) return 0;
        Array.Sort(segments, StringComparer.Ordinal);
        return SegmentBlocks.Read(segments[^1]).Count;
    }

    private enum FlipPlace { Payload, BlockHeader, FileHeader }

    /// <summary>
    /// Flips one bit in the newest segment: in the middle of a middle block's payload, in that block's record count
    /// (covered by the header CRC), or in the file magic. The events of that block become expected loss; every later
    /// block must survive. Then runs verify, which must report exactly that place.
    /// </summary>
    private static void FlipInNewestSegment(ScenarioRun run, FlipPlace place)
    {
        var segments = Directory.GetFiles(run.Disk.DataDir, "*.seg").Order(StringComparer.Ordinal).ToList();
        if (segments.Count == 0) throw new ScenarioIncompleteException("no segment file to flip a bit in");
        string newest = segments[^1];
        string name = Path.GetFileName(newest);
        var blocks = SegmentBlocks.Read(newest);
        if (blocks.Count < 3) throw new ScenarioIncompleteException($"{name} has {blocks.Count} blocks; a middle block needs 3");

        if (place == FlipPlace.FileHeader)
        {
            SegmentBlocks.FlipBit(newest, 0);
            run.Flipped.Add((name, 0));
            run.Mark($"flipped a bit of {name} at offset 0 (file magic; the file has {blocks.Count} blocks)");
        }
        else
        {
            int index = blocks.Count / 2;
            var block = blocks[index];
            long at = place == FlipPlace.Payload ? block.PayloadOffset + block.PayloadLength / 2 : block.Offset + 12;
            SegmentBlocks.FlipBit(newest, at);
            run.Flipped.Add((name, block.Offset));
            foreach (var (seq, id) in run.Snapshots[^1].Records)
                if (seq >= block.FirstSequence && seq < block.FirstSequence + block.Count) run.ExpectedLoss.Add(id);
            string what = place == FlipPlace.Payload ? "payload" : "header, record count";
            run.Mark(string.Create(CultureInfo.InvariantCulture,
                $"flipped a bit of {name} at offset {at} ({what} of block {index + 1} of {blocks.Count}, at {block.Offset}, {block.Count} records, seq {block.FirstSequence}..)"));
        }
        run.FlipVerify = VerifyReport.Run(run.Ingestd, run.Disk.DataDir);
    }
}
