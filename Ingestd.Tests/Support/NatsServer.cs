using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ingestd.Tests.Support;

/// <summary>A real <c>nats-server -js</c> on 127.0.0.1 (Debian package, scripts/install-test-deps.sh), stopped on dispose.</summary>
public sealed class NatsServer : IDisposable
{
    private readonly Process _process;

    private NatsServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Starts the server with JetStream storing in <paramref name="storeDir"/>; returns once it accepts connections.</summary>
    public static NatsServer Start(string storeDir, int port)
    {
        var psi = new ProcessStartInfo("nats-server", ["-js", "-a", "127.0.0.1", "-p", port.ToString(), "-sd", storeDir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(psi)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (int i = 0; i < 200; i++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new NatsServer(process, port);
            }
            catch (SocketException)
            {
                if (process.HasExited) break;
                Thread.Sleep(50);
            }
        }
        process.Kill();
        throw new InvalidOperationException($"nats-server did not start on port {port}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
