using System.Globalization;
using System.Net;
using System.Text;

namespace Ingestd.Bench.Compare;

/// <summary>
/// A small line chart as SVG: events/s against connections, one polyline per server, x on a
/// log₂ scale (8, 64, 256 are evenly apart), y linear from zero.
/// </summary>
internal static class SvgPlot
{
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

    public static string EventsVsConnections(string title, IReadOnlyList<CompareRow> rows)
    {
        const int Width = 760, Height = 440, Left = 90, Right = 190, Top = 40, Bottom = 60;
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        var conns = rows.Select(r => r.Connections).Distinct().Order().ToList();
        var servers = rows.Select(r => r.Server).Distinct().ToList();
        double yMax = NiceCeiling(rows.Where(r => !double.IsNaN(r.MedianEventsPerSecond)).Select(r => r.MedianEventsPerSecond).DefaultIfEmpty(1).Max());
        double xMin = Math.Log2(conns.Count > 0 ? conns[0] : 1), xMax = Math.Log2(conns.Count > 0 ? conns[^1] : 2);
        if (xMax - xMin < 1e-9) { xMin -= 1; xMax += 1; }
        double X(int c) => Left + (Math.Log2(c) - xMin) / (xMax - xMin) * plotW;
        double Y(double v) => Top + plotH - v / yMax * plotH;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{WebUtility.HtmlEncode(title)}</text>\n");
        // Axes, grid and ticks.
        for (int i = 0; i <= 5; i++)
        {
            double v = yMax * i / 5, y = Y(v);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Left + plotW}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Short(v)}</text>\n");
        }
        foreach (int c in conns)
        {
            double x = X(c);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Top + plotH}\" stroke=\"#eee\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{c}</text>\n");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW / 2}\" y=\"{Height - 18}\" text-anchor=\"middle\">connections (log scale)</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(22,{Top + plotH / 2}) rotate(-90)\" text-anchor=\"middle\">events/s (median)</text>\n");

        for (int s = 0; s < servers.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            var points = rows.Where(r => r.Server == servers[s] && !double.IsNaN(r.MedianEventsPerSecond)).OrderBy(r => r.Connections).ToList();
            string pts = string.Join(' ', points.Select(r => string.Create(CultureInfo.InvariantCulture, $"{X(r.Connections):0.#},{Y(r.MedianEventsPerSecond):0.#}")));
            if (points.Count > 1) svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{pts}\"/>\n");
            foreach (var r in points)
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(r.Connections):0.#}\" cy=\"{Y(r.MedianEventsPerSecond):0.#}\" r=\"3.5\" fill=\"{colour}\"/>\n");
            int ly = Top + 10 + s * 20;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left + plotW + 15}\" y1=\"{ly}\" x2=\"{Left + plotW + 40}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW + 46}\" y=\"{ly + 4}\">{WebUtility.HtmlEncode(servers[s])}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static double NiceCeiling(double v)
    {
        if (v <= 0) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double step in new[] { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 })
            if (step * magnitude >= v * 1.05) return step * magnitude;
        return 10 * magnitude;
    }

    public static string Short(double v) => v switch
    {
        >= 1e6 => (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " M",
        >= 1e3 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " k",
        _ => v.ToString("0", CultureInfo.InvariantCulture),
    };
}
