using Ingestd.Endpoints;
using Ingestd.Ingest;
using Ingestd.Processing;
using Ingestd.Ring;

namespace Ingestd.Http;

/// <summary>What every connection shares: limits, routes, the ingest pipeline and metrics.</summary>
internal sealed class ServerContext
{
    private RequestLimits _limits = null!;

    /// <summary>Swapped whole on reload; a connection reads it once per request.</summary>
    public required RequestLimits Limits
    {
        get => Volatile.Read(ref _limits);
        set => Volatile.Write(ref _limits, value);
    }

    public required Router Router { get; init; }
    public required IngestPipeline Pipeline { get; init; }
    public required Metrics Metrics { get; init; }

    /// <summary>The processing pipelines applied to every batch before it is published (issue #12).</summary>
    public required ProcessingStage Processing { get; init; }

    /// <summary>Set once shutdown starts: connections finish their current request and close.</summary>
    public CancellationToken ShuttingDown { get; init; }
}
