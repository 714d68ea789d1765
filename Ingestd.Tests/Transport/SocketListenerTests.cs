using System.Net;
using System.Net.Sockets;
using Ingestd.Transport;

namespace Ingestd.Tests.Transport;

public class SocketListenerTests
{
    private static readonly IPEndPoint AnyLoopbackPort = new(IPAddress.Loopback, 0);

    [Fact]
    public void A_port_another_listener_holds_is_refused_instead_of_shared()
    {
        using var first = new SocketListener(s => s.Dispose());
        first.Start([AnyLoopbackPort]);
        using var second = new SocketListener(s => s.Dispose());

        var e = Assert.Throws<SocketException>(() => second.Start([first.BoundEndPoints[0]]));

        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }

    [Fact]
    public async Task A_port_is_bound_again_while_its_closed_connections_wait_in_time_wait()
    {
        IPEndPoint port;
        var accepted = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var listener = new SocketListener(s => accepted.TrySetResult(s)))
        {
            listener.Start([AnyLoopbackPort]);
            port = listener.BoundEndPoints[0];
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(port).WaitAsync(TimeSpan.FromSeconds(10));
            // The server side closes first, so its end (the listening port) is the one left in TIME_WAIT.
            using (var server = await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10))) server.Shutdown(SocketShutdown.Both);
            var buffer = new byte[1];
            Assert.Equal(0, await client.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10)));
        }

        using var again = new SocketListener(s => s.Dispose());
        again.Start([port]);

        Assert.Equal(port.Port, again.BoundEndPoints[0].Port);
    }
}
