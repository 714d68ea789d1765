using Ingestd.Tests.Support;

namespace Ingestd.Tests.WebConsole;

/// <summary>Runs only when <c>INGESTD_CONSOLE_SCREENSHOT</c> names a file (scripts/console-screenshot.sh sets it).</summary>
public sealed class ScreenshotFactAttribute : FactAttribute
{
    public ScreenshotFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConsoleScreenshot.PathVariable)))
            Skip = $"takes the README's screenshot of /ui only when {ConsoleScreenshot.PathVariable} names the PNG (scripts/console-screenshot.sh)";
        else if (HeadlessChromium.Executable is null)
            Skip = "needs Debian's chromium";
    }
}

/// <summary>
/// The README's picture of the console: three tenants sending through three dialects for a minute, then a search and a
/// running tail, seen with an admin key at 1400 CSS pixels wide.
/// </summary>
public class ConsoleScreenshot
{
    public const string PathVariable = "INGESTD_CONSOLE_SCREENSHOT";

    private const string Config = """
        [auth]
        admin_keys = ["key-admin"]

        [[tenants]]
        id = "payments"
        keys = ["key-payments"]

        [[tenants]]
        id = "search"
        keys = ["key-search"]

        [[tenants]]
        id = "checkout"
        keys = ["key-checkout"]
        """;

    private static readonly string[] Services = ["api-gateway", "billing", "worker", "indexer"];
    private static readonly string[] Levels = ["info", "info", "info", "debug", "warn", "error"];
    private static readonly string[] Messages =
    [
        "request served in 12 ms", "cache miss for user profile", "upstream timeout after 3000 ms", "retrying payment authorisation",
        "index segment merged", "order 81723 confirmed", "connection pool exhausted", "user logged in",
    ];

    private static void SendTraffic(DaemonProcess daemon, int second, Random random)
    {
        // Each tenant's rate rises and falls on its own rhythm, so the charts have some shape.
        var tenants = new (string Tenant, int Rate)[]
        {
            ("payments", 6 + (int)(5 * Math.Sin(second / 6.0))),
            ("search", 3 + (int)(3 * Math.Cos(second / 9.0))),
            ("checkout", second % 20 < 12 ? 4 : 1),
        };
        foreach (var (tenant, rate) in tenants)
        {
            for (int i = 0; i < rate; i++)
            {
                string level = Levels[random.Next(Levels.Length)], service = Services[random.Next(Services.Length)];
                string message = Messages[random.Next(Messages.Length)];
                string time = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
                var (path, body, headers) = (i % 3) switch
                {
                    0 => ("/v1/drain",
                        $$"""{"events":[{"project_id":"{{tenant}}","timestamp":"{{time}}","level":"{{level}}","service":"{{service}}","message":"{{message}}"}]}""",
                        new[] { ("Authorization", "key-" + tenant) }),
                    1 => ("/api/ingest",
                        $$"""{"timestamp":"{{time}}","level":"{{level}}","service":"{{service}}","msg":"{{message}}"}""",
                        new[] { ("Authorization", "Bearer key-" + tenant) }),
                    _ => ("/v1/streams/ingest",
                        $$"""{"timestamp":"{{time}}","source":"{{service}}","event":{"level":"{{level}}","message":"{{message}}"} }""",
                        new[] { ("Authorization", "Bearer key-" + tenant), ("X-Stream-Id", "web-" + tenant) }),
                };
                RawHttp.Once(daemon.Port, "POST", path, body, [.. headers, ("Content-Type", "application/json")]);
            }
        }
    }

    [ScreenshotFact]
    public void Takes_the_readme_screenshot_of_the_console()
    {
        var target = Path.GetFullPath(Environment.GetEnvironmentVariable(PathVariable)!, RepoPaths.Root);
        using var dir = new TempDir("ingestd-screenshot");
        using var daemon = DaemonProcess.Start(dir.File("data"), Config);
        var random = new Random(15);
        for (int second = 0; second < 75; second++)
        {
            SendTraffic(daemon, second, random);
            Thread.Sleep(1000);
        }

        using var page = ChromiumDevTools.Start();
        page.SetViewport(1400, 1000);
        page.RunOnEveryPage("try { sessionStorage.setItem('ingestd.key', 'key-admin'); } catch (e) { }");
        page.Navigate(daemon.BaseUrl + "/ui");
        page.WaitFor("document.readyState === 'complete' && !!window.ingestdConsole && !!ingestdConsole.charts.events", TimeSpan.FromSeconds(60));

        page.Evaluate("document.querySelector('#filters [name=q]').value = 'timeout'");
        page.Evaluate("document.querySelector('#filters [name=limit]').value = '12'");
        page.Evaluate("document.getElementById('search').click()");
        page.WaitFor("document.querySelectorAll('#results tbody tr').length > 0", TimeSpan.FromSeconds(30));
        page.Evaluate("document.querySelector('#filters [name=q]').value = ''");
        page.Evaluate("document.getElementById('tail-toggle').click()");
        page.WaitFor("document.getElementById('tail-state').textContent === 'live'", TimeSpan.FromSeconds(30));
        for (int second = 75; second < 80; second++)
        {
            SendTraffic(daemon, second, random);
            Thread.Sleep(1000);
        }
        page.WaitFor("document.querySelectorAll('#tail tbody tr').length >= 12", TimeSpan.FromSeconds(30));
        Assert.Empty(page.Problems);
        File.WriteAllBytes(target, page.Screenshot());
        Console.WriteLine($"console screenshot: {target} ({new FileInfo(target).Length} bytes)");
    }
}
