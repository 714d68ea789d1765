namespace Ingestd.Bench.Load;

/// <summary>
/// What one load run measured. Requests counts the requests answered in the measured window
/// (any status); Errors counts socket errors, early closes and timeouts, which have no status.
/// Rates are per second of <see cref="Elapsed"/>; MB is 10^6 bytes.
/// </summary>
internal sealed record LoadResult
{
    public required long Requests { get; init; }
    public required long Ok2xx { get; init; }
    public required IReadOnlyDictionary<int, long> NonSuccessByStatus { get; init; }
    public required long Errors { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public required double RequestsPerSecond { get; init; }

    /// <summary>Events of the 2xx requests per second (refused requests store nothing).</summary>
    public required double EventsPerSecond { get; init; }

    /// <summary>Request body bytes of the answered requests, in MB (10^6) per second.</summary>
    public required double BodyMBPerSecond { get; init; }

    public required double P50Ms { get; init; }
    public required double P90Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double P999Ms { get; init; }
    public required double MaxMs { get; init; }
    public required double MeanMs { get; init; }

    /// <summary>The server's user + system CPU time during the measured window; null if unreadable.</summary>
    public double? ServerCpuSeconds { get; init; }

    /// <summary>Events of 2xx requests per server CPU-second; null without CPU seconds.</summary>
    public double? EventsPerCpuSecond { get; init; }

    /// <summary>The server's peak resident set (VmHWM) at the end of the run; null if unreadable.</summary>
    public long? ServerPeakRssBytes { get; init; }

    public required int EventsPerRequest { get; init; }

    /// <summary>The window in slices of <see cref="LoadOptions.Slice"/> (requests counted by when they were answered); empty without.</summary>
    public IReadOnlyList<LoadResult> Slices { get; init; } = [];
}
