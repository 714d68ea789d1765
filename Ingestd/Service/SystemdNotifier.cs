using System.Net.Sockets;
using System.Text;
using Ingestd.Diagnostics;

namespace Ingestd.Service;

/// <summary>
/// The sd_notify protocol, spoken directly: one datagram of newline-separated assignments to
/// the Unix socket named by <c>$NOTIFY_SOCKET</c> (a leading '@' means the abstract namespace).
/// Without the variable (not under systemd) every call does nothing.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endPoint;

    public SystemdNotifier() : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")) { }

    public SystemdNotifier(string? socketPath)
    {
        if (string.IsNullOrEmpty(socketPath)) return;
        if (socketPath[0] == '@') socketPath = "\0" + socketPath[1..];
        _endPoint = new UnixDomainSocketEndPoint(socketPath);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public bool Enabled => _socket is not null;

    /// <summary>The watchdog interval systemd expects pings within (WATCHDOG_USEC), if it is for this process.</summary>
    public static TimeSpan? WatchdogInterval()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!long.TryParse(usec, out long us) || us <= 0) return null;
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString()) return null;
        return TimeSpan.FromMicroseconds(us);
    }

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}");
    public void Status(string status) => Send($"STATUS={status}");
    public void Watchdog() => Send("WATCHDOG=1");
    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={status}");

    /// <summary>RELOADING=1 with the CLOCK_MONOTONIC time systemd wants for Type=notify-reload; READY=1 follows when done.</summary>
    public void Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}\nSTATUS=reloading configuration");

    private static long MonotonicMicroseconds() => System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000);

    private void Send(string message)
    {
        if (_socket is null) return;
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _endPoint!);
        }
        catch (SocketException e)
        {
            Log.Warn($"sd_notify failed: {e.SocketErrorCode}");
        }
    }

    public void Dispose() => _socket?.Dispose();
}
