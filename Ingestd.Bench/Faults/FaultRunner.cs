using System.Diagnostics;

namespace Ingestd.Bench.Faults;

/// <summary>
/// Runs one scenario end to end on a fresh tmpfs: start the daemon, do the fault under load, stop it (SIGTERM,
/// unless the scenario killed it), read back, restart so recovery runs, load a little more (recovery must not
/// hand out old sequence numbers), stop, read back and verify, unmount. Then judges it.
/// </summary>
internal sealed class FaultRunner(IngestdBinary ingestd, string workDir)
{
    private readonly string _logDir = Directory.CreateDirectory(Path.Combine(workDir, "logs")).FullName;
    private readonly string _pidFile = Path.Combine(workDir, "daemon.pids");

    public async Task<(ScenarioVerdict Verdict, TimeSpan Took)> RunAsync(FaultScenario scenario)
    {
        var took = Stopwatch.StartNew();
        var disk = new ScratchDisk(Path.Combine(workDir, "disk"));
        try
        {
            disk.Mount(scenario.MountOptions);
        }
        catch (InvalidOperationException e)
        {
            return (new ScenarioVerdict { Name = scenario.Name, Incomplete = e.Message }, took.Elapsed);
        }

        var run = new ScenarioRun(scenario, ingestd, disk, _logDir, _pidFile);
        string? incomplete = null;
        try
        {
            run.StartDaemon("start");
            await scenario.Fault(run);
            await run.StopLoadAsync();
            run.StopDaemon();
            run.Snapshot("before recovery");
            scenario.BeforeRecovery?.Invoke(run);
            run.StartDaemon("restart (recovery)");
            run.StartLoad();
            await ScenarioRun.Wait(1);
            await run.StopLoadAsync();
            run.StopDaemon();
            run.Snapshot("final");
            run.FinalVerify = VerifyReport.Run(ingestd, disk.DataDir);
            run.Mark("verify");
            if (scenario.RetentionMaxBytes is long limit) CheckRetentionPremise(run, limit);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything that stops a scenario halfway (a mount, a daemon that does not come back, unreadable
            // output) makes it incomplete, and the run fails; the other scenarios still run.
            incomplete = e is ScenarioIncompleteException ? e.Message : $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            try { await run.StopLoadAsync(); } catch (TimeoutException) { }
            run.Dispose();
        }

        if (incomplete is not null && (run.Snapshots.Count == 0 || run.Snapshots[^1].Label != "final"))
        {
            // The numbers still say what was lost so far, read from the disk as the daemon left it.
            try { run.Snapshot("final, daemon down"); }
            catch (Exception e) when (e is not OutOfMemoryException) { run.Notes.Add($"read-back after the stop failed: {e.Message}"); }
        }
        disk.Unmount();
        return (ScenarioVerdict.Judge(run, incomplete), took.Elapsed);
    }

    // Nothing may be deleted only if everything ever written stays within retention_max_bytes; otherwise a
    // deletion could be right and the losses would not prove anything.
    private static void CheckRetentionPremise(ScenarioRun run, long limit)
    {
        long written = run.SegmentBytesEverSeen();
        run.Notes.Add($"segment files ever seen hold {written} bytes in all; retention_max_bytes {limit}");
        if (written > limit)
            throw new ScenarioIncompleteException($"the segments grew to {written} bytes, more than retention_max_bytes {limit}, so deleting was allowed");
    }
}
