using System.Globalization;
using System.Text.RegularExpressions;

namespace Ingestd.Bench.Compare;

/// <summary>
/// The daemon's own view of a run's latency: <c>ingestd_http_request_duration_seconds</c> (complete head → answer handed
/// to the socket) read from <c>/metrics</c> before and after the run. Beside the client's p99 it tells the daemon's part
/// of a tail from the machine's (scheduling, the client). Only the busiest route counts (the load's, not the queries').
/// </summary>
internal static partial class ServerLatency
{
    [GeneratedRegex("""^ingestd_http_request_duration_seconds_bucket\{route="([^"]*)",le="([^"]*)"\} (\d+)""", RegexOptions.Multiline)]
    private static partial Regex BucketLine();

    /// <summary>Cumulative counts per route and upper bound (+Inf as infinity).</summary>
    public static Dictionary<string, SortedDictionary<double, long>> Parse(string metrics)
    {
        var routes = new Dictionary<string, SortedDictionary<double, long>>();
        foreach (Match m in BucketLine().Matches(metrics))
        {
            if (!routes.TryGetValue(m.Groups[1].Value, out var buckets)) routes[m.Groups[1].Value] = buckets = new();
            double le = m.Groups[2].Value == "+Inf" ? double.PositiveInfinity : double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            buckets[le] = long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
        }
        return routes;
    }

    public static async Task<Dictionary<string, SortedDictionary<double, long>>?> ScrapeAsync(int port)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            return Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null; // not an ingestd (nginx, Kestrel): no server-side figure
        }
    }

    /// <summary>The p99 in ms of the busiest route between two scrapes, interpolated inside its bucket; null without data.</summary>
    public static double? P99Ms(Dictionary<string, SortedDictionary<double, long>>? before, Dictionary<string, SortedDictionary<double, long>>? after)
    {
        if (before is null || after is null) return null;
        SortedDictionary<double, long>? busiest = null;
        SortedDictionary<double, long>? busiestBefore = null;
        long most = 0;
        foreach (var (route, buckets) in after)
        {
            before.TryGetValue(route, out var earlier);
            long n = buckets[double.PositiveInfinity] - (earlier?.GetValueOrDefault(double.PositiveInfinity) ?? 0);
            if (n > most) (most, busiest, busiestBefore) = (n, buckets, earlier);
        }
        if (busiest is null) return null;
        double rank = 0.99 * most;
        double lower = 0;
        long below = 0;
        foreach (var (le, cumulative) in busiest)
        {
            long count = cumulative - (busiestBefore?.GetValueOrDefault(le) ?? 0);
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(le)) return lower * 1000;
                double within = count == below ? 0 : (rank - below) / (count - below);
                return (lower + within * (le - lower)) * 1000;
            }
            (lower, below) = (le, count);
        }
        return null;
    }
}
