
namespace Ingestd.Bench.Faults;

/// <summary>
/// One fault scenario: the tmpfs it runs on, the daemon's <c>[storage]</c> settings, and what it does while the
/// load runs. <see cref="Fault"/> starts and stops its own load and may leave the daemon running (it is then
/// stopped with SIGTERM) or killed. <see cref="BeforeRecovery"/> runs with the daemon down, after the first
/// read-back and before the restart that recovers the data directory (the bit flips happen there).
/// <see cref="RetentionMaxBytes"/>: the scenario's retention_max_bytes, which the load must never reach in all
/// (checked at the end), so that no deletion is allowed and every acknowledged event must still be there.
/// </summary>
internal sealed record FaultScenario(
    string Name,
    string What,
    string MountOptions,
    string Storage,
    Func<ScenarioRun, Task> Fault,
    Action<ScenarioRun>? BeforeRecovery = null,
    long? RetentionMaxBytes = null);
