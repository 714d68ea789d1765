using System.Net.Sockets;
using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Service;

/// <summary>
/// The daemon under a stand-in for systemd: a Unix datagram socket passed as $NOTIFY_SOCKET
/// receives what the daemon announces; signals are sent as systemd would.
/// </summary>
public class SystemdIntegrationTests
{
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly List<string> _messages = new();

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _socket.ReceiveTimeout = 500;
        }

        public string Path { get; }

        /// <summary>Waits (bounded) for a datagram containing <paramref name="needle"/>; returns it.</summary>
        public string WaitFor(string needle, int timeoutMs = 20_000)
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
            var buffer = new byte[4096];
            while (DateTime.UtcNow < deadline)
            {
                lock (_messages)
                {
                    var found = _messages.FirstOrDefault(m => m.Contains(needle, StringComparison.Ordinal));
                    if (found is not null)
                    {
                        _messages.Remove(found);
                        return found;
                    }
                }
                try
                {
                    int n = _socket.Receive(buffer);
                    lock (_messages) _messages.Add(Encoding.UTF8.GetString(buffer, 0, n));
                }
                catch (SocketException) { }
            }
            throw new TimeoutException($"no notification with '{needle}'; got: {string.Join(" | ", _messages)}");
        }

        public void Dispose() => _socket.Dispose();
    }

    private static string Tenant(string id, string key) => $"[[tenants]]\nid = \"{id}\"\nkeys = [\"{key}\"]\n";

    private static RawHttp.Reply Drain(RawHttp http, string token, string tenant)
        => http.Exchange("POST", "/v1/drain", DrainBodies.Body(tenant, "sd", 1), ("Authorization", token));

    [Fact]
    public void Ready_status_watchdog_reloading_and_stopping_are_announced()
    {
        using var dir = new TempDir();
        using var notify = new NotifySocket(dir.File("notify.sock"));
        using var daemon = DaemonProcess.Start(dir.File("data"), Tenant("a", "tok-a"),
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "2000000" });

        var ready = notify.WaitFor("READY=1");
        Assert.Contains("STATUS=", ready);
        Assert.Contains($"MAINPID={daemon.Pid}", ready);
        notify.WaitFor("WATCHDOG=1");
        Assert.Contains("events/s", notify.WaitFor("STATUS="));

        daemon.Signal(1); // SIGHUP
        Assert.Contains("MONOTONIC_USEC=", notify.WaitFor("RELOADING=1"));
        notify.WaitFor("READY=1");

        daemon.Signal(15);
        notify.WaitFor("STOPPING=1");
        Assert.Equal(0, daemon.Terminate());
    }

    [Fact]
    public void Sighup_reloads_tenants_without_dropping_connections()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"), Tenant("a", "tok-a"));
        using var http = new RawHttp(daemon.Port);
        Assert.Equal(202, Drain(http, "tok-a", "a").Status);
        Assert.Equal(401, Drain(http, "tok-b", "b").Status);

        File.WriteAllText(daemon.ConfigPath, Tenant("a", "tok-a") + Tenant("b", "tok-b"));
        daemon.Signal(1);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!daemon.Output.Contains("reloaded configuration") && DateTime.UtcNow < deadline) Thread.Sleep(50);

        // Same connection, new tenant accepted, old one still fine.
        Assert.Equal(202, Drain(http, "tok-b", "b").Status);
        Assert.Equal(202, Drain(http, "tok-a", "a").Status);
        Assert.Single(IngestdCli.ReadRecords(daemon.DataDir, "--tenant", "b"));
    }

    [Fact]
    public void Sighup_reloads_a_daemon_started_under_nohup()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.StartUnderNohup(dir.File("data"), Tenant("a", "tok-a"));
        daemon.WaitForOutput("SIGHUP was inherited as ignored");
        File.WriteAllText(daemon.ConfigPath, Tenant("a", "tok-a") + Tenant("b", "tok-b"));
        daemon.Signal(1);
        daemon.WaitForOutput("reloaded configuration");
        using var http = new RawHttp(daemon.Port);
        Assert.Equal(202, Drain(http, "tok-b", "b").Status);
    }

    [Fact]
    public void An_invalid_config_on_sighup_is_rejected_and_the_old_one_stays()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"), Tenant("a", "tok-a"));
        File.WriteAllText(daemon.ConfigPath, "[storage]\ndurability = \"sometimes\"\n");
        daemon.Signal(1);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!daemon.Output.Contains("reload rejected") && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Contains("storage.durability", daemon.Output);
        using var http = new RawHttp(daemon.Port);
        Assert.Equal(202, Drain(http, "tok-a", "a").Status);
        Assert.Equal(401, Drain(http, "tok-x", "a").Status);
    }

    [Fact]
    public void Log_lines_carry_syslog_priority_prefixes()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"));
        var lines = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches(@"^<[0-7]>", l));
        Assert.Contains(lines, l => l.StartsWith("<4>no tenants configured", StringComparison.Ordinal));
    }
}
