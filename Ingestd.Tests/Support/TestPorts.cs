using System.Net;
using System.Net.Sockets;

namespace Ingestd.Tests.Support;

/// <summary>
/// Ports for servers a test names itself (to stop and start one again on the same port, or to write it into another
/// server's config). Taken below the kernel's ephemeral range (<c>ip_local_port_range</c>), which no outgoing connection
/// or port-0 listener of another process is ever given: a port the kernel picked was seen taken by someone else while
/// its server was down for a restart, in a loaded run. Never the same port twice in one test run.
/// </summary>
public static class TestPorts
{
    private static readonly object Gate = new();
    private static readonly HashSet<int> Given = [];

    public static int FreePort()
    {
        int low = EphemeralRangeStart();
        lock (Gate)
        {
            // 10,000 ports below the range when there is room for them (the usual range starts at 32768).
            for (int attempt = 0; low > 11_000 && attempt < 500; attempt++)
            {
                int port = Random.Shared.Next(low - 10_000, low);
                if (Given.Contains(port) || !Bindable(port)) continue;
                Given.Add(port);
                return port;
            }
        }
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int picked = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return picked;
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && int.TryParse(parts[0], out int low)) return low;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 32768;
    }

    private static bool Bindable(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
