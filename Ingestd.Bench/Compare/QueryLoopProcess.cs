using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Ingestd.Bench.Compare;

/// <summary>
/// <see cref="QueryLoop"/> in a process of its own (<c>Ingestd.Bench query-loop</c>), on the load generator's core.
/// In the generator's process its allocations (HttpClient, each answer's body) ran the generator's garbage collector,
/// and a collection pauses the sending threads: that pause was counted as ingest latency, so the +query row measured
/// the client as well as the daemon. Commands on standard input: <c>restart</c> (count from now), <c>stop</c> (print the
/// counts as one JSON line and exit; end of input does the same).
/// </summary>
internal sealed class QueryLoopProcess : IDisposable
{
    private readonly Process _child;

    private QueryLoopProcess(Process child) => _child = child;

    public static QueryLoopProcess Start(int port, string key)
    {
        var command = CpuPinning.SelfCommand();
        var psi = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in command[1..]) psi.ArgumentList.Add(a);
        foreach (var a in new[] { "query-loop", "--port", port.ToString(CultureInfo.InvariantCulture), "--key", key }) psi.ArgumentList.Add(a);
        return new QueryLoopProcess(Process.Start(psi) ?? throw new InvalidOperationException("cannot start the query loop"));
    }

    public void Restart()
    {
        _child.StandardInput.WriteLine("restart");
        _child.StandardInput.Flush();
    }

    private Task<QueryLoopResult?>? _stopped;

    /// <summary>Stops the child and gives its counts; later calls give the same answer.</summary>
    public Task<QueryLoopResult?> StopAsync() => _stopped ??= StopOnceAsync();

    private async Task<QueryLoopResult?> StopOnceAsync()
    {
        try
        {
            await _child.StandardInput.WriteLineAsync("stop");
            await _child.StandardInput.FlushAsync();
            string? line = await _child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(35));
            return line is null ? null : JsonSerializer.Deserialize<QueryLoopResult>(line);
        }
        catch (Exception e) when (e is IOException or TimeoutException or JsonException)
        {
            Console.Error.WriteLine($"query loop: {e.Message}");
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_child.WaitForExit(TimeSpan.FromSeconds(5))) _child.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _child.Dispose();
    }

    /// <summary>The child's side: <c>query-loop --port P --key K</c>.</summary>
    public static int Run(string[] args)
    {
        int port = 0;
        string key = "";
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--key": key = args[i + 1]; break;
                default:
                    Console.Error.WriteLine($"query-loop: unknown option {args[i]}");
                    return 2;
            }
        }
        if (port == 0)
        {
            Console.Error.WriteLine("query-loop: --port is required");
            return 2;
        }
        var loop = new QueryLoop();
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => loop.RunAsync(port, key, stop.Token));
        string? command;
        while ((command = Console.In.ReadLine()) is not null && command != "stop")
            if (command == "restart") loop.Restart();
        var result = loop.Result();
        stop.Cancel();
        running.ContinueWith(_ => { }).Wait(TimeSpan.FromSeconds(30));
        Console.Out.WriteLine(JsonSerializer.Serialize(result));
        Console.Out.Flush();
        return 0;
    }
}
