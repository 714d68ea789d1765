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
            "disk full then freed, three times (0.4 s, 0.4 s, 1.5 s) during load, segments rotating by age (500ms); durability fsync",
            Disk,
            """
            durability = "fsync"
            segment_max_age = "500ms"
            """,
            Cycles(FillDisk, FreeDisk)),

        new("disk-full-size-rotation",
            "disk full then freed, three times (0.4 s, 0.4 s, 1.5 s) during load, segments rotating by size (32KiB); durability write",
            Disk,
            """
            durability = "write"
            segment_max_bytes = "32KiB"
            """,
            Cycles(FillDisk, FreeDisk)),

        new("inodes-exhausted",
            "no inode left (segment creation fails) then freed, three times during load, rotating by age (500ms); durability write",
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
            "retention_max_bytes = disk size, so nothing may be deleted; size rotations (32KiB) while the disk is out of space, then of inodes; durability write",
            Disk + ",nr_inodes=64",
            """
            durability = "write"
            segment_max_bytes = "32KiB"
            retention_max_bytes = "4MiB"
            """,
            UnderLoad((FillDisk, 0.4), (FreeDisk, 0.6), (ExhaustInodes, 0.4), (FreeInodes, 0.6), (ExhaustInodes, 1.5), (FreeInodes, 2))),

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
            "read-only remount during load, then read-write again, three times, rotating by age (500ms); durability write",
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
    private static Func<ScenarioRun, Task> UnderLoad(params (Action<ScenarioRun> Do, double Then)[] steps) => async run =>
    {
        run.StartLoad();
        await ScenarioRun.Wait(1.5);
        foreach (var (step, then) in steps)
        {
            step(run);
            run.FaultUndoneAt = run.Clock.Elapsed.TotalSeconds;
            await ScenarioRun.Wait(then);
        }
        await run.StopLoadAsync();
        run.FaultLoadStoppedAt = run.Clock.Elapsed.TotalSeconds;
    };

    // Short faults first: one shorter than segment_max_age ends while a rotation that failed may still be
    // pending, the longer last one outlasts several rotation attempts.
    private static Func<ScenarioRun, Task> Cycles(Action<ScenarioRun> on, Action<ScenarioRun> off)
        => UnderLoad((on, 0.4), (off, 0.6), (on, 0.4), (off, 0.6), (on, 1.5), (off, 2));

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
        await run.StopLoadAsync();
        run.KillDaemon();
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
