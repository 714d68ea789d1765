using System.Diagnostics;
using System.Net;

namespace Ingestd.Bench.Compare;

/// <summary>What <see cref="QueryLoop"/> got answered while it ran.</summary>
internal sealed record QueryLoopResult
{
    public required long Pages { get; init; }
    public required long Stats { get; init; }
    public required long Records { get; init; }
    public required long Truncated { get; init; }
    public required long Failures { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public double QueriesPerSecond => Elapsed > TimeSpan.Zero ? (Pages + Stats) / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// A reader of the query API on one keep-alive connection, one query in flight, as the console or a script would read
/// while the daemon ingests: pages of the last minute oldest first, following the cursor up to ten pages, then the
/// newest page, then the counts per level per second of the last 10 s (a scan of every record in that window, capped by
/// the daemon's <c>limits.query_max_time</c>); again until cancelled. Cold path: plain <see cref="HttpClient"/>.
/// </summary>
internal static class QueryLoop
{
    public const string Description =
        "`GET /v1/query?since=1m&limit=100` then up to 9 more pages through `X-Next-Cursor`, `GET /v1/query?order=desc&limit=100`, " +
        "`GET /v1/query/stats?since=10s&interval=1s&group_by=level`, repeated (the bench tenant's key, which reads that tenant)";

    private const int PagesPerRound = 10;

    public static async Task<QueryLoopResult> RunAsync(int port, string key, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false, AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", key);
        long pages = 0, stats = 0, records = 0, truncated = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                string? cursor = null;
                for (int page = 0; page < PagesPerRound && !ct.IsCancellationRequested; page++)
                {
                    string url = "/v1/query?since=1m&limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
                    var answer = await GetAsync(http, url, ct);
                    if (answer is null) { failures++; break; }
                    pages++;
                    records += answer.Value.Lines;
                    if (answer.Value.Truncated) truncated++;
                    cursor = answer.Value.NextCursor;
                    if (cursor is null) break;
                }
                var newest = await GetAsync(http, "/v1/query?order=desc&limit=100", ct);
                if (newest is { } n) { pages++; records += n.Lines; } else failures++;
                var counts = await GetAsync(http, "/v1/query/stats?since=10s&interval=1s&group_by=level", ct, stats: true);
                if (counts is { } c) { stats++; if (c.Truncated) truncated++; } else failures++;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (HttpRequestException)
            {
                failures++;
            }
        }
        return new QueryLoopResult { Pages = pages, Stats = stats, Records = records, Truncated = truncated, Failures = failures, Elapsed = clock.Elapsed };
    }

    private readonly record struct Answer(int Lines, string? NextCursor, bool Truncated);

    // Null for a non-2xx answer. The whole body is read (and counted in lines) so the daemon's send is part of the cost.
    private static async Task<Answer?> GetAsync(HttpClient http, string url, CancellationToken ct, bool stats = false)
    {
        using var response = await http.GetAsync(url, ct);
        byte[] body = await response.Content.ReadAsByteArrayAsync(ct);
        if (!response.IsSuccessStatusCode) return null;
        int lines = 0;
        foreach (byte b in body)
            if (b == (byte)'\n') lines++;
        string? next = response.Headers.TryGetValues("X-Next-Cursor", out var values) ? values.FirstOrDefault() : null;
        // Pages say it in a header; the stats answer (JSON) in a member that records never hold at its top level.
        bool truncated = response.Headers.Contains("X-Truncated") || (stats && body.AsSpan().IndexOf("\"truncated\":"u8) >= 0);
        return new Answer(lines, next, truncated);
    }
}
