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
/// while the daemon ingests: ten pages of 100 records oldest first, each from the cursor of the one before (one block
/// decompressed per page), the newest page, then the counts per level per hour of everything stored: a scan of every
/// record that the daemon's <c>limits.query_max_time</c> (1 s in the comparison's config) cuts short; again until
/// cancelled. No time window: the reference events carry fixed 2024 timestamps, so <c>since=1m</c> would match no
/// block and measure only the walk over block headers. Cold path: plain <see cref="HttpClient"/>.
/// </summary>
internal sealed class QueryLoop
{
    public const string Description =
        "`GET /v1/query?limit=100` then 9 more pages through `X-Next-Cursor`, `GET /v1/query?order=desc&limit=100`, " +
        "`GET /v1/query/stats?group_by=level&interval=1h` (every stored record, cut at `limits.query_max_time = \"1s\"`), repeated " +
        "(the bench tenant's key, which reads that tenant)";

    private const int PagesPerRound = 10;

    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _pages, _stats, _records, _truncated, _failures;

    /// <summary>Starts the counts again (when the measured part of the load begins); the loop goes on as it was.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            _pages = _stats = _records = _truncated = _failures = 0;
            _clock.Restart();
        }
    }

    /// <summary>What was answered since the start or the last <see cref="Restart"/>.</summary>
    public QueryLoopResult Result()
    {
        lock (_gate)
            return new QueryLoopResult { Pages = _pages, Stats = _stats, Records = _records, Truncated = _truncated, Failures = _failures, Elapsed = _clock.Elapsed };
    }

    private void Count(bool stats, Answer? answer)
    {
        lock (_gate)
        {
            if (answer is not { } a)
            {
                _failures++;
                return;
            }
            if (stats) _stats++; else _pages++;
            _records += stats ? 0 : a.Lines;
            if (a.Truncated) _truncated++;
        }
    }

    /// <summary>Queries until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(int port, string key, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false, AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", key);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                string? cursor = null;
                for (int page = 0; page < PagesPerRound && !ct.IsCancellationRequested; page++)
                {
                    string url = "/v1/query?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
                    var answer = await GetAsync(http, url, ct);
                    Count(stats: false, answer);
                    cursor = answer?.NextCursor;
                    if (cursor is null) break;
                }
                Count(stats: false, await GetAsync(http, "/v1/query?order=desc&limit=100", ct));
                Count(stats: true, await GetAsync(http, "/v1/query/stats?group_by=level&interval=1h", ct, stats: true));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (HttpRequestException)
            {
                Count(stats: false, null);
            }
        }
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
