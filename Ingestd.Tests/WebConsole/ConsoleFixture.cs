using Ingestd.Tests.Support;

namespace Ingestd.Tests.WebConsole;

/// <summary>
/// A daemon with three tenants (alpha, beta, gamma; keys <c>key-alpha</c>, …), an admin key (<c>key-admin</c>), an output
/// that cannot deliver (siem) and one headless Chromium for the whole
/// test class, started on first use. Each test opens the console afresh with the key it needs.
/// </summary>
public sealed class ConsoleFixture : IDisposable
{
    private readonly TempDir _dir = new("ingestd-console");
    private readonly Lazy<ChromiumDevTools> _browser = new(ChromiumDevTools.Start);

    public const string Config = """
        [auth]
        admin_keys = ["key-admin"]

        [[tenants]]
        id = "alpha"
        keys = ["key-alpha"]

        [[tenants]]
        id = "beta"
        keys = ["key-beta"]

        [[tenants]]
        id = "gamma"
        keys = ["key-gamma"]

        # Nothing listens on port 1: the output falls behind, so the console has a lag to chart.
        [[outputs]]
        name = "siem"
        type = "http_ndjson"
        url = "http://127.0.0.1:1/ingest"
        retry_max_backoff = "1s"
        """;

    public ConsoleFixture()
    {
        Daemon = DaemonProcess.Start(_dir.File("data"), Config);
    }

    public DaemonProcess Daemon { get; }

    public ChromiumDevTools Browser => _browser.Value;

    private string? _keyScript;

    /// <summary>Loads /ui with <paramref name="key"/> in the tab's session storage (from its first script on) and waits for its first overview.</summary>
    public ChromiumDevTools Open(string key)
    {
        var browser = Browser;
        if (_keyScript is not null) browser.StopRunningOnEveryPage(_keyScript);
        _keyScript = browser.RunOnEveryPage($"try {{ sessionStorage.setItem('ingestd.key', '{key}'); }} catch (e) {{ }}");
        browser.ClearProblems();
        browser.Navigate(Daemon.BaseUrl + "/ui");
        var ready = browser.WaitFor(
            "document.readyState === 'complete' && !!window.ingestdConsole && !!ingestdConsole.overview && !!ingestdConsole.charts.events",
            TimeSpan.FromSeconds(60));
        Assert.True(ready == "true", $"the console did not show its overview: {browser.Evaluate("location.href + ' key=' + sessionStorage.getItem('ingestd.key') + ' status=' + document.getElementById('status')?.textContent")}; {string.Join('\n', browser.Problems)}");
        return browser;
    }

    /// <summary>Sends <paramref name="message"/> as one Astralog event of the key's tenant; 202 means it is stored.</summary>
    public void Send(string tenant, string message, string level = "info", string service = "checkout")
    {
        var body = $$"""{"events":[{"project_id":"{{tenant}}","timestamp":"{{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}}","level":"{{level}}","service":"{{service}}","message":"{{message}}"}]}""";
        var reply = RawHttp.Once(Daemon.Port, "POST", "/v1/drain", body, ("Authorization", "key-" + tenant), ("Content-Type", "application/json"));
        Assert.Equal(202, reply.Status);
    }

    public void Dispose()
    {
        if (_browser.IsValueCreated) _browser.Value.Dispose();
        Daemon.Dispose();
        _dir.Dispose();
    }
}
