using System.Diagnostics;

namespace Ingestd.Tests.Support;

/// <summary>
/// Debian's chromium run headless: loads a page, lets its scripts run (virtual time) and returns the rendered DOM
/// and the page's console messages (CSP violations among them).
/// </summary>
public static class HeadlessChromium
{
    public static readonly string? Executable = Find();

    public sealed record Page(string Dom, IReadOnlyList<string> Console);

    private static string? Find()
    {
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
            if (File.Exists(candidate)) return candidate;
        return null;
    }

    public static Page Render(string url)
    {
        using var profile = new TempDir("ingestd-chromium");
        var result = ExternalProcess.Run(Executable ?? throw new InvalidOperationException("chromium is not installed"),
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile.Path, "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=10000", "--dump-dom", url,
        ], timeoutMs: 180_000);
        if (result.ExitCode != 0) throw new InvalidOperationException($"chromium exited {result.ExitCode}:\n{result.Stderr}");
        var console = result.Stderr.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        return new Page(result.Stdout, console);
    }
}
