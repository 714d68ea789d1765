using Ingestd.Diagnostics;
using Ingestd.Transport;

namespace Ingestd.Http;

/// <summary>What every HTTP connection shares: limits, metrics, the shutdown signal and the layer above.</summary>
internal sealed class ServerContext
{
    private RequestLimits _limits = null!;

    /// <summary>Swapped whole on reload; a connection reads it once per request.</summary>
    public required RequestLimits Limits
    {
        get => Volatile.Read(ref _limits);
        set => Volatile.Write(ref _limits, value);
    }

    /// <summary>Makes the request handler of a new connection (routing, endpoints and storage live above HTTP).</summary>
    public required Func<ITransportConnection, IRequestHandler> CreateHandler { get; init; }

    public required Metrics Metrics { get; init; }

    /// <summary>Set once shutdown starts: connections finish their current request and close.</summary>
    public CancellationToken ShuttingDown { get; init; }
}
