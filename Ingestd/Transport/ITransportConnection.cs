using System.IO.Pipelines;

namespace Ingestd.Transport;

/// <summary>
/// What the HTTP layer needs of a connection, and all it knows of one: bytes in through a pipe, bytes out, close and
/// abort. A plain socket is one implementation; TLS over a socket will be another, with the HTTP code unchanged.
/// </summary>
internal interface ITransportConnection : IDisposable
{
    /// <summary>The received bytes (decrypted, where the transport encrypts).</summary>
    PipeReader Input { get; }

    /// <summary>The peer's address, for logs.</summary>
    string RemoteEndPoint { get; }

    /// <summary>TLS facts (HSTS value, verified client certificate); null on a plain connection.</summary>
    TransportSecurity? Security => null;

    /// <summary>Starts receiving into <see cref="Input"/>.</summary>
    void Start();

    /// <summary>Sends all of <paramref name="bytes"/>; false when the peer is gone.</summary>
    ValueTask<bool> SendAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>Graceful close: stop sending, let the peer read the last response, then release.</summary>
    Task CloseAsync();

    /// <summary>Hard close from any thread: pending sends and receives fail at once.</summary>
    void Abort();
}
