using Ingestd.Bench.Load;

namespace Ingestd.Bench.Compare;

/// <summary>One timed run of one server on one workload at one connection count.</summary>
internal sealed record CompareRun
{
    public required string Server { get; init; }
    public required string Workload { get; init; }
    public required int Connections { get; init; }
    public required int Round { get; init; }
    public LoadResult? Result { get; init; }
    public string? Failure { get; init; }
    /// <summary>What the query client got answered during the run (workloads with <see cref="Workload.QueryLoad"/>).</summary>
    public QueryLoopResult? Queries { get; init; }
    /// <summary>The daemon's own p99 (complete head → answer handed to the socket), from its <c>/metrics</c>; null for other servers.</summary>
    public double? ServerP99Ms { get; init; }
}
