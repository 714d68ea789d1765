namespace Ingestd.Bench.Compare;

/// <summary>The options of <c>compare</c>.</summary>
internal sealed record CompareSettings
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public int Rounds { get; init; } = 3;
    /// <summary>Minutes of the paced soak run after the cases; 0 = none.</summary>
    public int SoakMinutes { get; init; }
    /// <summary>The soak alone, no cases.</summary>
    public bool SoakOnly { get; init; }
    public bool Quick { get; init; }
    public required string OutDir { get; init; }
    public int ServerCpu { get; init; }
    public int LoadCpu { get; init; } = 1;
    /// <summary>Only these servers (names), or all when empty.</summary>
    public IReadOnlyList<string> Servers { get; init; } = [];
    /// <summary>Only the cases of these workloads (names), or all when empty.</summary>
    public IReadOnlyList<string> Workloads { get; init; } = [];
}
