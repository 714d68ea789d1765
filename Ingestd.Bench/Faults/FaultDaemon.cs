using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ingestd.Bench.Faults;

/// <summary>
/// One run of the real daemon: started with <c>--config FILE</c>, its output kept in a log file and in memory,
/// stopped with SIGTERM (orderly: drain and fsync) or SIGKILL (the crash case). Every PID goes to a pid file
/// first, so the calling script can kill a daemon this process left behind.
/// </summary>
internal sealed class FaultDaemon : IDisposable
{
    private const int SigKill = 9, SigTerm = 15;

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StreamWriter _logFile;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _marker;

    private FaultDaemon(Process process, StreamWriter logFile, int port)
    {
        _process = process;
        _logFile = logFile;
        _marker = $"listening on 127.0.0.1:{port}";
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Lines the daemon printed so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return _lines.ToArray(); }
    }

    /// <summary>
    /// Starts the daemon and waits (bounded) until it listens. Returns null and the reason when it exited or
    /// hung during start-up (a finding after a fault, not a harness error).
    /// </summary>
    public static (FaultDaemon? Daemon, string? Problem) Start(IngestdBinary binary, string configPath, int port, string logPath, string pidFile)
    {
        var logFile = new StreamWriter(logPath, append: true) { AutoFlush = true };
        logFile.WriteLine($"---- start {DateTime.UtcNow:HH:mm:ss.fff} ----");
        var process = new Process { StartInfo = binary.StartInfo(["--config", configPath]) };
        var daemon = new FaultDaemon(process, logFile, port);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.Start();
        File.AppendAllText(pidFile, process.Id + "\n");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (daemon._listening.Task.Wait(50)) return (daemon, null);
            if (process.HasExited)
            {
                process.WaitForExit(); // flushes the output readers
                string why = $"daemon exited during start-up (code {process.ExitCode}): {daemon.LastLines(3)}";
                daemon.Dispose();
                return (null, why);
            }
        }
        daemon.Kill();
        string hung = $"daemon did not listen within 20 s: {daemon.LastLines(3)}";
        daemon.Dispose();
        return (null, hung);
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            _lines.Add(line);
            _logFile.WriteLine(line);
        }
        if (line.Contains(_marker, StringComparison.Ordinal)) _listening.TrySetResult();
    }

    /// <summary>The last few lines, joined, for a detail line.</summary>
    public string LastLines(int count)
    {
        lock (_lines) return string.Join(" | ", _lines.Skip(Math.Max(0, _lines.Count - count)));
    }

    /// <summary>Lines containing <paramref name="text"/>.</summary>
    public int Count(string text)
    {
        lock (_lines) return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>SIGTERM and wait; after 20 s SIGKILL. Returns the exit code, or null when it had to be killed.</summary>
    public int? Terminate()
    {
        if (_process.HasExited) return _process.ExitCode;
        kill(_process.Id, SigTerm);
        if (_process.WaitForExit(20_000))
        {
            _process.WaitForExit();
            return _process.ExitCode;
        }
        Kill();
        return null;
    }

    /// <summary>SIGKILL: the crash. Waits until the process is gone, so its file locks are released.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        kill(_process.Id, SigKill);
        _process.WaitForExit(10_000);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        lock (_lines) _logFile.Dispose();
    }
}
