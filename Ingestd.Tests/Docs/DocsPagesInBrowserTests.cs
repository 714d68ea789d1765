using System.Text.RegularExpressions;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Docs;

/// <summary>
/// The documentation pages as a browser sees them: headless Chromium loads /api (Swagger UI) and /reference (Scalar)
/// from the daemon alone, under the pages' own Content-Security-Policy, and every operation of /openapi.json shows.
/// </summary>
public partial class DocsPagesInBrowserTests(DocsFixture fixture) : IClassFixture<DocsFixture>
{
    // Swagger UI renders each operation as a summary: <span class="opblock-summary-method">POST</span> … data-path="/v1/drain".
    [GeneratedRegex("opblock-summary-method\">([A-Z]+)</span>.*?data-path=\"([^\"]*)\"", RegexOptions.Singleline)]
    private static partial Regex SwaggerOperation();

    [ChromiumFact]
    public void Swagger_ui_at_api_shows_every_operation_of_openapi_json()
    {
        var shown = SwaggerOperation().Matches(fixture.Swagger.Dom).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToHashSet();
        var missing = fixture.Operations().Where(op => !shown.Contains(op)).ToList();
        Assert.True(missing.Count == 0, $"not on /api: {string.Join(", ", missing)}; console: {string.Join('\n', fixture.Swagger.Console)}");
    }

    [ChromiumFact]
    public void Scalar_reference_shows_every_operation_of_openapi_json()
    {
        // Scalar gives each operation a section (id ".../POST/v1/drain", rendered or a lazy placeholder until scrolled to)
        // and a sidebar entry linking to it (href "#POST/v1/drain").
        var dom = fixture.Scalar.Dom;
        var missing = fixture.Operations()
            .Where(op => !Regex.IsMatch(dom, $"id=\"[^\"]*/{Regex.Escape(op.Method + op.Path)}\"")
                         || !dom.Contains($"href=\"#{op.Method}{op.Path}\"", StringComparison.Ordinal))
            .ToList();
        Assert.True(missing.Count == 0, $"not on /reference: {string.Join(", ", missing)}; console: {string.Join('\n', fixture.Scalar.Console)}");
    }

    [ChromiumFact]
    public void Swagger_ui_try_it_out_calls_the_daemon_that_served_the_page()
    {
        using var chromium = ChromiumDevTools.Start();
        chromium.Navigate(fixture.Daemon.BaseUrl + "/api");
        Assert.Equal("true", chromium.WaitFor("!!document.querySelector('#operations-default-health .opblock-summary-control')", TimeSpan.FromSeconds(60)));
        // Open GET /health, press "Try it out", then "Execute", as a reader would.
        chromium.Evaluate("document.querySelector('#operations-default-health .opblock-summary-control').click()");
        chromium.WaitFor("!!document.querySelector('#operations-default-health .try-out__btn')", TimeSpan.FromSeconds(30));
        chromium.Evaluate("document.querySelector('#operations-default-health .try-out__btn').click()");
        chromium.WaitFor("!!document.querySelector('#operations-default-health .execute')", TimeSpan.FromSeconds(30));
        chromium.Evaluate("document.querySelector('#operations-default-health .execute').click()");
        var answer = chromium.WaitFor("document.querySelector('#operations-default-health .live-responses-table .microlight')?.textContent ?? ''", TimeSpan.FromSeconds(30));
        Assert.Equal(fixture.Daemon.BaseUrl + "/health", chromium.Evaluate("document.querySelector('#operations-default-health .request-url pre')?.textContent"));
        Assert.Equal("ok", System.Text.Json.JsonDocument.Parse(answer!).RootElement.GetProperty("status").GetString());
    }

    [ChromiumFact]
    public void Swagger_ui_runs_without_violating_its_content_security_policy()
        => Assert.DoesNotContain(fixture.Swagger.Console, line => line.Contains("Content Security Policy", StringComparison.Ordinal));

    [ChromiumFact]
    public void Scalar_reference_runs_without_violating_its_content_security_policy()
        => Assert.DoesNotContain(fixture.Scalar.Console, line => line.Contains("Content Security Policy", StringComparison.Ordinal));
}
