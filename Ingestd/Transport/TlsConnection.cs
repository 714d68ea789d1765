using System.Net.Security;
using System.Net.Sockets;

namespace Ingestd.Transport;

/// <summary>
/// A TLS connection after its handshake: decrypted bytes go into the pipe, so the HTTP layer reads it exactly as it
/// reads a <see cref="SocketConnection"/>; each response is encrypted and sent in one write.
/// </summary>
internal sealed class TlsConnection : PipedConnection
{
    private readonly SslStream _tls;

    public TlsConnection(Socket socket, SslStream tls, TransportSecurity security) : base(socket)
    {
        _tls = tls;
        Security = security;
    }

    public override TransportSecurity Security { get; }

    protected override ValueTask<int> ReceiveAsync(Memory<byte> buffer) => _tls.ReadAsync(buffer);

    protected override ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes) => _tls.WriteAsync(bytes);

    // close_notify before the FIN, so the client knows the response was not truncated.
    protected override Task BeforeShutdownAsync() => _tls.ShutdownAsync();

    public override void Dispose()
    {
        base.Dispose();
        _tls.Dispose();
    }
}
