using Ingestd.Endpoints;
using Ingestd.Parsing.Http;
using Ingestd.Ring;

namespace Ingestd.Http;

/// <summary>What every connection shares: limits, routes, the ingest pipeline and metrics.</summary>
internal sealed class ServerContext
{
    public required HttpLimits HttpLimits { get; init; }
    public required long MaxBodyBytes { get; init; }
    public required TimeSpan HeaderTimeout { get; init; }
    public required TimeSpan IdleTimeout { get; init; }
    public required TimeSpan BodyTimeout { get; init; }
    public required Router Router { get; init; }
    public required IngestPipeline Pipeline { get; init; }
    public required Metrics Metrics { get; init; }

    /// <summary>Set once shutdown starts: connections finish their current request and close.</summary>
    public CancellationToken ShuttingDown { get; init; }
}
