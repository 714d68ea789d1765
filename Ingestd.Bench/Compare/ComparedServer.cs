using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ingestd.Bench.Compare;

/// <summary>
/// One comparison server in its own process, pinned to one core with <c>taskset</c> (which execs,
/// so the process id is the server's own, for CPU and RSS sampling), on a fresh port and a fresh
/// data directory. Stopped with SIGTERM so the daemons shut down the way they are meant to.
/// </summary>
internal sealed class ComparedServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _tail = [];

    private ComparedServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public int Pid => _process.Id;

    public string Tail
    {
        get { lock (_tail) return string.Join('\n', _tail); }
    }

    // The JIT servers are measured at steady state, as a long-running service runs. By default .NET waits
    // 100 ms after the last tier-0 compile before it counts calls for tier 1, times 10 when the process may
    // use one CPU (taskset): a 2 s warm-up then measured instrumented tier-0 code at a third of the speed.
    private const string SteadyStateTiering = "0";

    public static async Task<ComparedServer> StartAsync(BenchServer server, CompareEnvironment env, string runDir, int cpu)
    {
        Directory.CreateDirectory(runDir);
        int port = FreePort();
        string listen = $"127.0.0.1:{port}";
        var command = new List<string>();
        if (env.PinServers) command.AddRange(["taskset", "-c", cpu.ToString(CultureInfo.InvariantCulture)]);
        var environment = new Dictionary<string, string>();
        switch (server)
        {
            case BenchServer.IngestdWrite:
            case BenchServer.IngestdFsync:
            case BenchServer.IngestdBaseline:
            case BenchServer.IngestdPipeline:
                string config = Path.Combine(runDir, "ingestd.conf");
                File.WriteAllText(config, $"""
                    [storage]
                    durability = "{(server == BenchServer.IngestdFsync ? "fsync" : "write")}"

                    [limits]
                    # Only the query rows read (paced-300k+query): a full-scan stats query stops after 1 s.
                    query_max_time = "1s"

                    [[tenants]]
                    id = "org-xyz"
                    keys = ["tok-bench"]
                    rate_limit_per_minute = 2000000000

                    """);
                // ingestd-pipeline: the same daemon and settings as ingestd-write, plus the issue #12 pipeline: the difference is its cost.
                if (server == BenchServer.IngestdPipeline)
                    File.AppendAllText(config, File.ReadAllText(Path.Combine(env.WorkloadDir, Workload.PipelineConfigFile)));
                command.AddRange(server == BenchServer.IngestdBaseline ? env.BaselineCommand! : env.IngestdCommand);
                command.AddRange(["--config", config, "--listen", listen, "--data-dir", Path.Combine(runDir, "data")]);
                break;
            case BenchServer.KestrelOrdinary:
                command.AddRange(CpuPinning.SelfCommand());
                command.AddRange(["kestrel-ordinary", "--listen", listen, "--out", Path.Combine(runDir, "events.ndjson")]);
                // `dotnet new web` projects (Microsoft.NET.Sdk.Web) run with server GC.
                environment["DOTNET_gcServer"] = "1";
                environment["DOTNET_TC_CallCountingDelayMs"] = SteadyStateTiering;
                break;
            case BenchServer.KestrelIngestd:
                command.AddRange(CpuPinning.SelfCommand());
                command.AddRange(["kestrel-ingestd", "--listen", listen, "--data-dir", Path.Combine(runDir, "data")]);
                // The daemon's own GC settings (Ingestd.csproj), so only the transport differs.
                environment["DOTNET_gcServer"] = "0";
                environment["DOTNET_gcConcurrent"] = "0";
                // ingestd sets the same in its runtimeconfig (Ingestd.csproj).
                environment["DOTNET_TC_CallCountingDelayMs"] = SteadyStateTiering;
                break;
            case BenchServer.Nginx:
                command.Add(NginxServer.Binary);
                command.AddRange(NginxServer.Prepare(runDir, port));
                break;
        }

        var psi = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = runDir,
        };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        // The bench process itself is pinned to the load core; the server must not inherit that.
        psi.Environment.Remove("INGESTD_BENCH_PINNED");
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        var sp = new ComparedServer(process, port);
        process.OutputDataReceived += (_, e) => sp.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => sp.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await sp.WaitReadyAsync(server == BenchServer.Nginx);
        }
        catch
        {
            await sp.DisposeAsync();
            throw;
        }
        return sp;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _tail.Add(line);
            if (_tail.Count > 40) _tail.RemoveAt(0);
        }
    }

    // Ready = answers GET /health (nginx has none: ready once the port accepts). Bounded: 20 s.
    private async Task WaitReadyAsync(bool portOnly)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"server exited during start-up (code {_process.ExitCode}):\n{Tail}");
            try
            {
                if (portOnly)
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(IPAddress.Loopback, Port);
                    return;
                }
                using var response = await http.GetAsync($"http://127.0.0.1:{Port}/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or TaskCanceledException)
            {
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"server not ready after 20 s:\n{Tail}");
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private const int SIGTERM = 15;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            kill(_process.Id, SIGTERM);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }
}
