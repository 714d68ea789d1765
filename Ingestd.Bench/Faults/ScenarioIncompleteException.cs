namespace Ingestd.Bench.Faults;

/// <summary>A scenario could not be carried out to the end (a mount failed, the daemon did not come back, …).</summary>
internal sealed class ScenarioIncompleteException(string message) : Exception(message);
