using Ingestd.Transport;

namespace Ingestd.Http;

/// <summary>A response that goes on after its head (Server-Sent Events): it owns the connection until it returns.</summary>
internal interface IResponseStream
{
    Task RunAsync(ITransportConnection connection, CancellationToken shutdown);
}
