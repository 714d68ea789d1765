using System.Diagnostics;
using System.Text.Json;

namespace Ingestd.Tests.Support;

/// <summary>Runs the ingestd CLI (read, verify, …) as a process and captures its output.</summary>
public static class IngestdCli
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args)
    {
        var psi = DaemonProcess.CommandStartInfo();
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill();
            throw new TimeoutException("ingestd " + string.Join(' ', args) + " did not finish");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary><c>ingestd read --data-dir DIR</c>, parsed: one JSON element per record.</summary>
    public static List<JsonElement> ReadRecords(string dataDir, params string[] filters)
    {
        var args = new List<string> { "read", "--data-dir", dataDir };
        args.AddRange(filters);
        var r = Run(args.ToArray());
        Assert.True(r.ExitCode == 0, $"read failed ({r.ExitCode}): {r.Stderr}");
        var list = new List<JsonElement>();
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            list.Add(JsonDocument.Parse(line).RootElement.Clone());
        return list;
    }
}
