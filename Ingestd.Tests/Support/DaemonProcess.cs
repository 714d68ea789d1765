using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Ingestd.Tests.Support;

/// <summary>
/// The real daemon in its own process, listening on an ephemeral port on 127.0.0.1 with its
/// own data directory. Tests talk to it over sockets and read its segments with the CLI.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<int> _tlsPorts = new();

    private DaemonProcess(Process process, string dataDir)
    {
        _process = process;
        DataDir = dataDir;
    }

    public string DataDir { get; }
    public int Port { get; private set; }
    public int Pid => _process.Id;
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public string Output
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// Waits (at most 90 s) until at least <paramref name="count"/> lines of the output contain <paramref name="text"/>.
    /// The output is read on another thread, so a line the daemon has already logged may not be in <see cref="Output"/>
    /// yet: look for one this way, not with an assertion on <see cref="Output"/> at once.
    /// </summary>
    public void WaitForOutput(string text, int count = 1)
    {
        for (int i = 0; i < 1800 && LinesContaining(text) < count; i++) Thread.Sleep(50);
        Assert.True(LinesContaining(text) >= count, $"no \"{text}\" (×{count}) in the log:\n{Output}");
    }

    /// <summary>How many lines of the output so far contain <paramref name="text"/>.</summary>
    public int LinesContaining(string text) => Output.Split('\n').Count(line => line.Contains(text));

    /// <summary>The built daemon's entry assembly, copied beside the tests by the project reference.</summary>
    public static string DaemonDll => Path.Combine(AppContext.BaseDirectory, "ingestd.dll");

    /// <summary>
    /// How to run ingestd: the built assembly under <c>dotnet</c>, or the executable named by
    /// <c>INGESTD_BINARY</c> (e.g. <c>dist/ingestd</c> from <c>make publish</c>, to run the suite against what ships).
    /// </summary>
    public static ProcessStartInfo CommandStartInfo()
    {
        string? binary = Environment.GetEnvironmentVariable("INGESTD_BINARY");
        // A relative INGESTD_BINARY is relative to the repository, where `make test` runs.
        var psi = new ProcessStartInfo(string.IsNullOrEmpty(binary) ? "dotnet" : Path.GetFullPath(binary, RepoPaths.Root))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (string.IsNullOrEmpty(binary)) psi.ArgumentList.Add(DaemonDll);
        return psi;
    }

    public static DaemonProcess Start(string dataDir, string? configText = null, params string[] extraArgs)
        => Start(dataDir, configText, null, extraArgs);

    public static DaemonProcess Start(string dataDir, string? configText, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs)
        => Start(dataDir, configText, environment, extraArgs, launcher: null);

    /// <summary>Started through nohup(1), as an operator might: the daemon inherits SIGHUP as ignored.</summary>
    public static DaemonProcess StartUnderNohup(string dataDir, string? configText)
        => Start(dataDir, configText, null, [], launcher: "nohup");

    private static DaemonProcess Start(string dataDir, string? configText, IReadOnlyDictionary<string, string>? environment, string[] extraArgs, string? launcher)
    {
        var args = new List<string> { "--listen", "127.0.0.1:0", "--data-dir", dataDir };
        if (configText is not null)
        {
            var configPath = Path.Combine(dataDir + ".conf");
            File.WriteAllText(configPath, configText);
            args.Add("--config");
            args.Add(configPath);
        }
        args.AddRange(extraArgs);
        var psi = CommandStartInfo();
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (launcher is not null)
        {
            // The launcher execs the daemon: same process, so signals and the exit code are the daemon's.
            psi.ArgumentList.Insert(0, psi.FileName);
            psi.FileName = launcher;
        }
        if (environment is not null) foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var daemon = new DaemonProcess(process, dataDir);
        process.ErrorDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // The exit can be seen before the last lines of output were read: wait for both streams' end first.
            process.WaitForExit();
            daemon._port.TrySetException(new InvalidOperationException("daemon exited during start-up:\n" + daemon.Output));
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        if (!daemon._port.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            daemon.Kill();
            throw new TimeoutException("daemon did not report its port:\n" + daemon.Output);
        }
        daemon.Port = daemon._port.Task.Result;
        return daemon;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        const string marker = "listening on 127.0.0.1:";
        int at = line.IndexOf(marker, StringComparison.Ordinal);
        if (at >= 0 && int.TryParse(line.AsSpan(at + marker.Length).Trim(), out int port)) _port.TrySetResult(port);
        const string tlsMarker = "listening with TLS on 127.0.0.1:";
        at = line.IndexOf(tlsMarker, StringComparison.Ordinal);
        if (at >= 0 && int.TryParse(line.AsSpan(at + tlsMarker.Length).Trim(), out int tlsPort)) lock (_tlsPorts) _tlsPorts.Add(tlsPort);
    }

    /// <summary>
    /// The port of the <paramref name="index"/>th <c>[[server.tls]]</c> listener (announced right after the plain
    /// ones, so this waits briefly at most).
    /// </summary>
    public int TlsPort(int index = 0)
    {
        for (int i = 0; i < 600; i++)
        {
            lock (_tlsPorts) if (_tlsPorts.Count > index) return _tlsPorts[index];
            if (_process.HasExited) break;
            Thread.Sleep(50);
        }
        throw new InvalidOperationException($"daemon announced no TLS listener #{index}:\n{Output}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>The config file the daemon was started with (rewrite it, then <see cref="Signal"/> SIGHUP to reload).</summary>
    public string ConfigPath => Path.Combine(DataDir + ".conf");

    public void Signal(int signal) => kill(_process.Id, signal);

    /// <summary>SIGTERM, then waits for the exit code (bounded).</summary>
    public int Terminate(TimeSpan? timeout = null)
    {
        kill(_process.Id, 15);
        if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60))) throw new TimeoutException("daemon did not exit after SIGTERM:\n" + Output);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the crash case.</summary>
    public void Kill()
    {
        try { _process.Kill(); _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
    }

    public bool HasExited => _process.HasExited;

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
