using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.WebConsole;

/// <summary>
/// The console at /ui as a browser runs it: headless Chromium (one for the class) over the DevTools protocol, against a
/// daemon with three tenants. Waits are bounded polls of the page, never timings.
/// </summary>
public class ConsoleInBrowserTests(ConsoleFixture fixture) : IClassFixture<ConsoleFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string Marker(string what) => $"{what}-{Guid.NewGuid():N}";

    // True once the uPlot chart `chart` has a series labelled `label` with a value above zero.
    private static string ChartHasTraffic(string chart, string label) => $$"""
        (() => {
          const c = ingestdConsole.charts[{{JsonSerializer.Serialize(chart)}}];
          if (!c) return false;
          const i = c.plot.series.findIndex(s => s.label === {{JsonSerializer.Serialize(label)}});
          return i > 0 && c.plot.data[i].some(v => v > 0);
        })()
        """;

    private static string RowsOf(string table) => $$"""
        JSON.stringify([...document.querySelectorAll('#{{table}} tbody tr')].map(tr => [...tr.cells].map(td => td.textContent)))
        """;

    private static List<string[]> Rows(ChromiumDevTools page, string table)
        => JsonSerializer.Deserialize<List<string[]>>(page.Evaluate(RowsOf(table))!)!;

    private static void Fill(ChromiumDevTools page, string field, string value)
        => page.Evaluate($"document.querySelector('#filters [name={field}]').value = {JsonSerializer.Serialize(value)}");

    [ChromiumFact]
    public void The_console_loads_without_console_errors_or_exceptions()
    {
        var page = fixture.Open("key-alpha");
        // A few polls of /v1/overview, each redrawing every chart.
        int polls = int.Parse(page.Evaluate("String(ingestdConsole.polls)")!);
        Assert.Equal("true", page.WaitFor($"ingestdConsole.polls >= {polls + 2}", Patience));
        var charts = JsonSerializer.Deserialize<string[]>(page.Evaluate("JSON.stringify(Object.keys(ingestdConsole.charts))")!)!;
        Assert.Subset(charts.ToHashSet(), new HashSet<string> { "events", "bytes", "ring", "latency", "disk" });
        Assert.Empty(page.Problems);
    }

    [ChromiumFact]
    public void Charts_receive_the_events_a_test_sends()
    {
        // gamma is this test's alone: its series can only come from the events sent here.
        var page = fixture.Open("key-gamma");
        bool shown = false;
        for (int i = 0; i < 150 && !shown; i++)
        {
            fixture.Send("gamma", Marker("chart"));
            shown = page.Evaluate(ChartHasTraffic("events", "astralog / gamma")) == "true"
                    && page.Evaluate(ChartHasTraffic("bytes", "astralog / gamma")) == "true";
            if (!shown) Thread.Sleep(200);
        }
        Assert.True(shown, "no gamma traffic in the charts; overview: " + page.Evaluate("JSON.stringify(ingestdConsole.overview.events_per_second)"));
        Assert.NotEqual("–", page.Evaluate("document.getElementById('tile-events').textContent"));
    }

    [ChromiumFact]
    public void A_tenant_key_sees_only_its_tenants_traffic_in_the_charts()
    {
        fixture.Send("beta", Marker("beta-traffic"));
        fixture.Send("alpha", Marker("alpha-traffic"));
        var page = fixture.Open("key-alpha");
        Assert.Equal("true", page.WaitFor(ChartHasTraffic("events", "astralog / alpha"), Patience));
        var labels = JsonSerializer.Deserialize<string[]>(page.Evaluate(
            "JSON.stringify(Object.values(ingestdConsole.charts).flatMap(c => c.plot.series.map(s => s.label ?? '')))")!)!;
        Assert.DoesNotContain(labels, l => l.Contains("beta", StringComparison.Ordinal) || l.Contains("gamma", StringComparison.Ordinal));
    }

    [ChromiumFact]
    public void Output_lag_is_charted_when_an_output_exists()
    {
        fixture.Send("alpha", Marker("undelivered"));
        var page = fixture.Open("key-alpha");
        Assert.Equal("true", page.WaitFor("""
            (() => {
              const c = ingestdConsole.charts.outputs;
              if (!c || document.getElementById('outputs-figure').hidden) return false;
              const i = c.plot.series.findIndex(s => s.label === 'siem events behind');
              return i > 0 && c.plot.data[i].some(v => v > 0);
            })()
            """, Patience));
    }

    [ChromiumFact]
    public void A_search_the_server_refuses_shows_its_reason()
    {
        var page = fixture.Open("key-alpha");
        Fill(page, "where", "level ==");
        page.Evaluate("document.getElementById('search').click()");
        var notice = page.WaitFor("document.querySelector('#results td.notice')?.textContent ?? ''", Patience);
        Assert.StartsWith("search failed: 400", notice);
        Assert.Contains("where", notice);
    }

    [ChromiumFact]
    public void A_search_finds_a_marked_event()
    {
        var marker = Marker("search");
        fixture.Send("alpha", "before " + marker);
        var page = fixture.Open("key-alpha");
        Fill(page, "q", marker);
        page.Evaluate("document.getElementById('search').click()");
        page.WaitFor($"document.querySelector('#results tbody')?.textContent.includes({JsonSerializer.Serialize(marker)})", Patience);
        var rows = Rows(page, "results");
        var row = Assert.Single(rows);
        Assert.Equal("alpha", row[1]);
        Assert.Equal("astralog", row[2]);
        Assert.Contains(marker, row[5]);
    }

    [ChromiumFact]
    public void A_search_charts_its_matches_over_time_by_level()
    {
        var marker = Marker("counted");
        fixture.Send("alpha", marker, level: "warn");
        fixture.Send("alpha", marker, level: "warn");
        fixture.Send("alpha", marker, level: "error");
        var page = fixture.Open("key-alpha");
        Fill(page, "q", marker);
        page.Evaluate("document.getElementById('search').click()");
        var counts = page.WaitFor("""
            (() => {
              const c = ingestdConsole.charts.stats;
              if (!c || document.getElementById('stats-figure').hidden) return '';
              const total = (label) => { const i = c.plot.series.findIndex(s => s.label === label); return i > 0 ? c.plot.data[i].reduce((a, v) => a + v, 0) : 0; };
              return total('warn') + total('error') === 3 ? JSON.stringify({ warn: total('warn'), error: total('error') }) : '';
            })()
            """, Patience);
        Assert.Equal("""{"warn":2,"error":1}""", counts);
    }

    [ChromiumFact]
    public void The_tail_shows_a_new_event_as_soon_as_it_is_stored()
    {
        var page = fixture.Open("key-alpha");
        page.Evaluate("document.getElementById('tail-toggle').click()");
        Assert.Equal("live", page.WaitFor("document.getElementById('tail-state').textContent === 'live' ? 'live' : ''", Patience));
        var marker = Marker("tail");
        fixture.Send("alpha", marker);
        // Bounded poll of the pane: the event is there well within a second on an idle machine; the bound only stops a hang.
        bool shown = false;
        for (int i = 0; i < 100 && !shown; i++)
        {
            shown = page.Evaluate($"document.querySelector('#tail tbody').textContent.includes({JsonSerializer.Serialize(marker)})") == "true";
            if (!shown) Thread.Sleep(50);
        }
        Assert.True(shown, "tail pane: " + page.Evaluate(RowsOf("tail")));
        page.Evaluate("document.getElementById('tail-toggle').click()");
    }

    [ChromiumFact]
    public void A_tenant_key_never_shows_another_tenants_events_in_search_results()
    {
        var marker = Marker("isolated");
        fixture.Send("beta", "beta " + marker);
        fixture.Send("alpha", "alpha " + marker);
        var page = fixture.Open("key-alpha");
        Fill(page, "q", marker);
        page.Evaluate("document.getElementById('search').click()");
        page.WaitFor($"document.querySelector('#results tbody')?.textContent.includes('alpha ' + {JsonSerializer.Serialize(marker)})", Patience);
        Assert.All(Rows(page, "results"), row => Assert.Equal("alpha", row[1]));

        // Asking for beta's records by name finds none of them either.
        Fill(page, "tenant", "beta");
        page.Evaluate("document.getElementById('results-count').textContent = ''; document.getElementById('search').click()");
        page.WaitFor("document.getElementById('results-count').textContent !== '…' && document.getElementById('results-count').textContent !== ''"
                     + " || document.querySelector('#results td.notice') !== null", Patience);
        Assert.DoesNotContain(Rows(page, "results"), row => row.Length > 5 && row[5].Contains("beta " + marker, StringComparison.Ordinal));
    }

    [ChromiumFact]
    public void Entering_another_key_clears_what_the_previous_key_showed()
    {
        var marker = Marker("rekeyed");
        fixture.Send("alpha", marker);
        var page = fixture.Open("key-alpha");
        Fill(page, "q", marker);
        page.Evaluate("document.getElementById('search').click()");
        page.WaitFor($"document.querySelector('#results tbody').textContent.includes({JsonSerializer.Serialize(marker)})", Patience);
        Assert.Equal("true", page.WaitFor(ChartHasTraffic("events", "astralog / alpha"), Patience));

        page.Evaluate("document.getElementById('key').value = 'key-beta'; document.querySelector('#key-form button[type=submit]').click()");
        Assert.Equal("key-beta", page.Evaluate("sessionStorage.getItem('ingestd.key')"));
        Assert.Empty(Rows(page, "results"));
        // The next overview is beta's: alpha's series never comes back.
        page.WaitFor("!!ingestdConsole.overview && !!ingestdConsole.charts.events", Patience);
        var labels = page.Evaluate("JSON.stringify(ingestdConsole.charts.events.plot.series.map(s => s.label ?? ''))")!;
        Assert.DoesNotContain("alpha", labels);
    }

    [ChromiumFact]
    public void A_tenant_key_never_shows_another_tenants_events_in_the_tail()
    {
        var page = fixture.Open("key-alpha");
        page.Evaluate("document.getElementById('tail-toggle').click()");
        Assert.Equal("live", page.WaitFor("document.getElementById('tail-state').textContent === 'live' ? 'live' : ''", Patience));
        var marker = Marker("tail-isolated");
        fixture.Send("beta", "beta " + marker);
        fixture.Send("alpha", "alpha " + marker);
        // alpha's event comes after beta's: once it shows, beta's would have too.
        page.WaitFor($"document.querySelector('#tail tbody').textContent.includes('alpha ' + {JsonSerializer.Serialize(marker)})", Patience);
        var rows = Rows(page, "tail");
        Assert.Contains(rows, row => row.Length > 5 && row[5].Contains("alpha " + marker, StringComparison.Ordinal));
        Assert.DoesNotContain(rows, row => row.Length > 1 && row[1] != "alpha");
        page.Evaluate("document.getElementById('tail-toggle').click()");
    }
}
