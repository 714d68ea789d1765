using System.Net;
using System.Net.Sockets;
using Ingestd.Diagnostics;

namespace Ingestd.Transport;

/// <summary>
/// Binds the configured endpoints and accepts connections, handing each accepted socket to
/// <c>onAccepted</c>. Owns nothing else: the HTTP layer lives above it.
/// </summary>
internal sealed class SocketListener : IDisposable
{
    private readonly List<Socket> _sockets = new();
    private readonly Action<Socket> _onAccepted;
    private volatile bool _stopped;

    public SocketListener(Action<Socket> onAccepted) => _onAccepted = onAccepted;

    public IReadOnlyList<IPEndPoint> BoundEndPoints { get; private set; } = Array.Empty<IPEndPoint>();

    public void Start(IReadOnlyList<IPEndPoint> endPoints, int backlog = 1024)
    {
        var bound = new List<IPEndPoint>();
        foreach (var ep in endPoints)
        {
            var socket = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (ep.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = ep.Address.Equals(IPAddress.IPv6Any);
            ReuseAddressOnly(socket);
            socket.Bind(ep);
            socket.Listen(backlog);
            _sockets.Add(socket);
            bound.Add((IPEndPoint)socket.LocalEndPoint!);
        }
        BoundEndPoints = bound;
        foreach (var s in _sockets) _ = AcceptLoopAsync(s);
    }

    // Linux's SOL_SOCKET and SO_REUSEADDR.
    private const int SolSocket = 1, SoReuseAddr = 2;

    /// <summary>
    /// SO_REUSEADDR without SO_REUSEPORT: a restarted daemon binds while the old one's connections sit in TIME_WAIT, but a
    /// port another process listens on stays refused. (SocketOptionName.ReuseAddress sets SO_REUSEPORT too on Linux: a
    /// second daemon on the same port then starts "listening" and the kernel splits new connections between the two.)
    /// </summary>
    private static void ReuseAddressOnly(Socket socket)
    {
        if (!OperatingSystem.IsLinux()) return;
        Span<byte> on = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(on, 1);
        socket.SetRawSocketOption(SolSocket, SoReuseAddr, on);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopped)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e) when (!_stopped)
            {
                // EMFILE and friends: back off instead of spinning; the listener stays up.
                Log.Warn($"accept failed: {e.SocketErrorCode}");
                await Task.Delay(50).ConfigureAwait(false);
                continue;
            }
            catch (SocketException) { break; }
            _onAccepted(accepted);
        }
    }

    /// <summary>Stops accepting: closes the listening sockets. Established connections are untouched.</summary>
    public void Stop()
    {
        _stopped = true;
        foreach (var s in _sockets) s.Dispose();
    }

    public void Dispose() => Stop();
}
