using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Ingestd.Tests.Support;

/// <summary>
/// Headless Chromium driven over its DevTools protocol (one page), for tests that click through a page rather than
/// only read its rendered DOM. Console errors and warnings, uncaught exceptions and the browser's own error log entries
/// (failed loads, CSP violations) are collected in <see cref="Problems"/> as the protocol reports them.
/// </summary>
public sealed class ChromiumDevTools : IDisposable
{
    private readonly Process _process;
    private readonly TempDir _profile;
    private readonly ClientWebSocket _socket = new();
    private int _lastId;
    private readonly List<string> _problems = new();

    private ChromiumDevTools(Process process, TempDir profile)
    {
        _process = process;
        _profile = profile;
    }

    public static ChromiumDevTools Start()
    {
        var profile = new TempDir("ingestd-chromium");
        var psi = new ProcessStartInfo(HeadlessChromium.Executable ?? throw new InvalidOperationException("chromium is not installed"))
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--user-data-dir=" + profile.Path, "--remote-debugging-port=0", "about:blank" })
            psi.ArgumentList.Add(a);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = psi };
        process.ErrorDataReceived += (_, e) =>
        {
            const string prefix = "DevTools listening on ";
            if (e.Data is { } line && line.StartsWith(prefix, StringComparison.Ordinal)) listening.TrySetResult(line[prefix.Length..]);
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var session = new ChromiumDevTools(process, profile);
        try
        {
            if (!listening.Task.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("chromium did not open its DevTools port");
            // ws://127.0.0.1:PORT/devtools/browser/… → the page target's own socket from /json/list.
            var browser = new Uri(listening.Task.Result);
            using var http = new HttpClient();
            var targets = JsonDocument.Parse(http.GetStringAsync($"http://127.0.0.1:{browser.Port}/json/list").GetAwaiter().GetResult()).RootElement;
            var page = targets.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
            session._socket.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), CancellationToken.None).GetAwaiter().GetResult();
            // From here on the page reports console calls, exceptions and log entries as events.
            session.Send("Page.enable", new { }); // without it, scripts added for new documents do not run
            session.Send("Runtime.enable", new { });
            session.Send("Log.enable", new { });
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Navigate(string url) => Send("Page.navigate", new { url });

    /// <summary>
    /// Runs <paramref name="script"/> in every document loaded from now on, before the page's own scripts (e.g. to put
    /// a key in session storage); returns an id for <see cref="StopRunningOnEveryPage"/>.
    /// </summary>
    public string RunOnEveryPage(string script)
        => Send("Page.addScriptToEvaluateOnNewDocument", new { source = script }).GetProperty("identifier").GetString()!;

    public void StopRunningOnEveryPage(string id) => Send("Page.removeScriptToEvaluateOnNewDocument", new { identifier = id });

    /// <summary>What went wrong in the page so far: console errors and warnings, uncaught exceptions, error log entries.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            Evaluate("0"); // reads the events that arrived since the last command
            lock (_problems) return _problems.ToList();
        }
    }

    public void ClearProblems()
    {
        Evaluate("0");
        lock (_problems) _problems.Clear();
    }

    /// <summary>Sets the viewport (CSS pixels) the page lays itself out in.</summary>
    public void SetViewport(int width, int height)
        => Send("Emulation.setDeviceMetricsOverride", new { width, height, deviceScaleFactor = 1, mobile = false });

    /// <summary>A PNG of the whole page, laid out at the viewport's width.</summary>
    public byte[] Screenshot()
    {
        var reply = Send("Page.captureScreenshot", new { format = "png", captureBeyondViewport = true });
        return Convert.FromBase64String(reply.GetProperty("data").GetString()!);
    }

    /// <summary>Runs <paramref name="expression"/> in the page (awaiting a promise): a string as is, any other value as JSON.</summary>
    public string? Evaluate(string expression)
    {
        var reply = Send("Runtime.evaluate", new { expression, awaitPromise = true, returnByValue = true });
        var result = reply.GetProperty("result");
        if (reply.TryGetProperty("exceptionDetails", out var error)) throw new InvalidOperationException($"page script failed: {error}");
        if (!result.TryGetProperty("value", out var value)) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
    }

    /// <summary>Polls <paramref name="expression"/> until it is truthy (as a string) or the timeout passes.</summary>
    public string? WaitFor(string expression, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = Evaluate(expression);
            if (!string.IsNullOrEmpty(value) && value != "false" || DateTime.UtcNow > deadline) return value;
            Thread.Sleep(200);
        }
    }

    private JsonElement Send(string method, object parameters)
    {
        int id = ++_lastId;
        var request = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        _socket.SendAsync(request, WebSocketMessageType.Text, true, CancellationToken.None).GetAwaiter().GetResult();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                received = _socket.ReceiveAsync(buffer, timeout.Token).GetAwaiter().GetResult();
                message.Write(buffer, 0, received.Count);
            } while (!received.EndOfMessage);
            var reply = JsonDocument.Parse(message.ToArray()).RootElement;
            if (reply.TryGetProperty("method", out var eventName)) Observe(eventName.GetString()!, reply.GetProperty("params"));
            // Events (no id) and other replies are not what we wait for.
            if (!reply.TryGetProperty("id", out var replyId) || replyId.GetInt32() != id) continue;
            if (reply.TryGetProperty("error", out var error)) throw new InvalidOperationException($"{method}: {error}");
            return reply.GetProperty("result").Clone();
        }
    }

    private void Observe(string eventName, JsonElement parameters)
    {
        string? problem = eventName switch
        {
            "Runtime.consoleAPICalled" when parameters.GetProperty("type").GetString() is "error" or "warning" or "assert"
                => $"console.{parameters.GetProperty("type").GetString()}: {string.Join(' ', parameters.GetProperty("args").EnumerateArray().Select(Describe))}",
            "Runtime.exceptionThrown" => $"exception: {Describe(parameters.GetProperty("exceptionDetails"))}",
            "Log.entryAdded" when parameters.GetProperty("entry").GetProperty("level").GetString() is "error" or "warning"
                => $"log {parameters.GetProperty("entry").GetProperty("level").GetString()}: {parameters.GetProperty("entry").GetProperty("text").GetString()}"
                   + (parameters.GetProperty("entry").TryGetProperty("url", out var url) ? $" ({url.GetString()})" : ""),
            _ => null,
        };
        if (problem is not null) lock (_problems) _problems.Add(problem);
    }

    private static string Describe(JsonElement e)
    {
        if (e.TryGetProperty("exception", out var exception) && exception.TryGetProperty("description", out var d)) return d.GetString()!;
        if (e.TryGetProperty("value", out var v)) return v.ToString();
        if (e.TryGetProperty("description", out var description)) return description.GetString()!;
        return e.TryGetProperty("text", out var text) ? text.GetString()! : e.GetRawText();
    }

    public void Dispose()
    {
        _socket.Dispose();
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
        _profile.Dispose();
    }
}
