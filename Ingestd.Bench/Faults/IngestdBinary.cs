using System.Diagnostics;

namespace Ingestd.Bench.Faults;

/// <summary>
/// How to run the ingestd under test: an executable (the apphost <c>ingestd</c>, <c>dist/ingestd</c>) or an
/// <c>ingestd.dll</c> under <c>dotnet</c>. Used for the daemon and for its <c>read</c> and <c>verify</c> commands,
/// so the judge reads the segments back with the same build that wrote them.
/// </summary>
internal sealed class IngestdBinary(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        bool dll = Path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var psi = new ProcessStartInfo(dll ? "dotnet" : Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dll) psi.ArgumentList.Add(Path);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs a CLI command to its end (bounded) and returns exit code, stdout and stderr.</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args)
    {
        using var p = Process.Start(StartInfo(args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5_000);
            throw new TimeoutException($"ingestd {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
