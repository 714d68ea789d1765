using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Ingestd.Transport;

/// <summary>A raw TCP connection: received bytes go into the pipe as they are; each response is one send. Knows nothing of HTTP.</summary>
internal sealed class SocketConnection : PipedConnection
{
    public SocketConnection(Socket socket) : base(socket) => socket.NoDelay = true;

    protected override ValueTask<int> ReceiveAsync(Memory<byte> buffer) => Socket.ReceiveAsync(buffer, SocketFlags.None);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected override async ValueTask SendAllAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int n = await Socket.SendAsync(bytes, SocketFlags.None).ConfigureAwait(false);
            bytes = bytes[n..];
        }
    }
}
