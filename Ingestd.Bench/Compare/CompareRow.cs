namespace Ingestd.Bench.Compare;

/// <summary>The rounds of one (server, workload, connections) case, summarised.</summary>
internal sealed record CompareRow
{
    public required string Server { get; init; }
    public required string Workload { get; init; }
    public required int Connections { get; init; }
    public required int Runs { get; init; }
    public required double MedianEventsPerSecond { get; init; }
    public required double MinEventsPerSecond { get; init; }
    public required double MaxEventsPerSecond { get; init; }
    public required double MedianRequestsPerSecond { get; init; }
    public required double MedianP99Ms { get; init; }
    public double MedianP50Ms { get; init; }
    public double MedianP999Ms { get; init; }
    public double MedianMaxMs { get; init; }
    public double MinP99Ms { get; init; }
    public double MaxP99Ms { get; init; }
    public double? MedianCpuSeconds { get; init; }
    public double? MedianEventsPerCpuSecond { get; init; }
    public long? PeakRssBytes { get; init; }
    public long NonSuccess { get; init; }
    public long Errors { get; init; }
    public int FailedRuns { get; init; }
    /// <summary>Queries answered per second by the query client (median over the rounds), when one ran.</summary>
    public double? MedianQueriesPerSecond { get; init; }
    /// <summary>Query answers cut short by a cap, and queries not answered 2xx, over all rounds.</summary>
    public long QueriesTruncated { get; init; }
    public long QueryFailures { get; init; }
    /// <summary>The daemon's own p99 (its <c>/metrics</c>, head → answer handed to the socket), median over the rounds; ingestd only.</summary>
    public double? MedianServerP99Ms { get; init; }

    public static CompareRow From(IReadOnlyList<CompareRun> runs)
    {
        var ok = runs.Where(r => r.Result is not null).Select(r => r.Result!).ToList();
        var events = ok.Select(r => r.EventsPerSecond).ToList();
        return new CompareRow
        {
            Server = runs[0].Server,
            Workload = runs[0].Workload,
            Connections = runs[0].Connections,
            Runs = ok.Count,
            MedianEventsPerSecond = Median(events),
            MinEventsPerSecond = events.Count > 0 ? events.Min() : double.NaN,
            MaxEventsPerSecond = events.Count > 0 ? events.Max() : double.NaN,
            MedianRequestsPerSecond = Median(ok.Select(r => r.RequestsPerSecond).ToList()),
            MedianP99Ms = Median(ok.Select(r => r.P99Ms).ToList()),
            MedianP50Ms = Median(ok.Select(r => r.P50Ms).ToList()),
            MedianP999Ms = Median(ok.Select(r => r.P999Ms).ToList()),
            MedianMaxMs = Median(ok.Select(r => r.MaxMs).ToList()),
            MinP99Ms = ok.Count > 0 ? ok.Min(r => r.P99Ms) : double.NaN,
            MaxP99Ms = ok.Count > 0 ? ok.Max(r => r.P99Ms) : double.NaN,
            MedianCpuSeconds = NullableMedian(ok.Select(r => r.ServerCpuSeconds)),
            MedianEventsPerCpuSecond = NullableMedian(ok.Select(r => r.EventsPerCpuSecond)),
            PeakRssBytes = ok.Select(r => r.ServerPeakRssBytes).Where(v => v is not null).Max(),
            NonSuccess = ok.Sum(r => r.NonSuccessByStatus.Values.Sum()),
            Errors = ok.Sum(r => r.Errors),
            FailedRuns = runs.Count - ok.Count,
            MedianQueriesPerSecond = NullableMedian(runs.Where(r => r.Result is not null).Select(r => r.Queries?.QueriesPerSecond)),
            QueriesTruncated = runs.Sum(r => r.Queries?.Truncated ?? 0),
            QueryFailures = runs.Sum(r => r.Queries?.Failures ?? 0),
            MedianServerP99Ms = NullableMedian(runs.Where(r => r.Result is not null).Select(r => r.ServerP99Ms)),
        };
    }

    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double? NullableMedian(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : Median(present);
    }
}
