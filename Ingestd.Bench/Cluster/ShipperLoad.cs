using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ingestd.Bench.Cluster;

/// <summary>
/// A shipper in front of the load balancer: several connections POST <c>/v1/drain</c> batches at a fixed total
/// rate for a while, every event's <c>message</c> a unique marker (<c>{run}.{connection}.{batch}.{event}</c>).
/// A batch without a 2xx (refused, reset, 502/503 from the balancer, a timeout) is sent again, the same body,
/// after a pause, as shippers do: this is where an event can be stored twice (the first try reached a node that
/// died before answering), under two event ids. A batch is acknowledged once one try got a 2xx; the keys of the
/// acknowledged batches are written to a file for the check. Bounded: a batch is given up after
/// <see cref="MaxAttempts"/> tries, and no try starts later than <see cref="Grace"/> after the load's end.
/// </summary>
internal static class ShipperLoad
{
    private const int MaxAttempts = 20;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(20);

    public static int Run(Uri url, TimeSpan duration, string ackedPath, int connections, double rate, int eventsPerBatch)
    {
        string run = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.Next())).ToLowerInvariant();
        var clock = Stopwatch.StartNew();
        var acked = new List<string>();
        var givenUp = new List<string>();
        var outcomes = new Dictionary<string, int>();
        int batches = 0, retries = 0;
        var interval = TimeSpan.FromSeconds(connections / rate);

        async Task Connection(int connection)
        {
            using var http = NewClient();
            long next = Stopwatch.GetTimestamp();
            for (int batch = 0; clock.Elapsed < duration; batch++)
            {
                long now = Stopwatch.GetTimestamp();
                if (next > now) await Task.Delay(Stopwatch.GetElapsedTime(now, next));
                next = Math.Max(next, now) + (long)(interval.TotalSeconds * Stopwatch.Frequency);
                if (clock.Elapsed >= duration) break;
                string key = $"{run}.{connection}.{batch}";
                byte[] body = Body(key, eventsPerBatch);
                Interlocked.Increment(ref batches);
                bool done = false;
                for (int attempt = 0; attempt < MaxAttempts && clock.Elapsed < duration + Grace; attempt++)
                {
                    if (attempt > 0)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 << Math.Min(attempt, 5))));
                    }
                    string outcome = await SendAsync(http, url, body);
                    lock (outcomes) outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                    if (outcome[0] == '2')
                    {
                        lock (acked) acked.Add(key);
                        done = true;
                        break;
                    }
                }
                if (!done) lock (givenUp) givenUp.Add(key);
            }
        }

        var workers = new Task[connections];
        for (int c = 0; c < connections; c++)
        {
            int connection = c;
            workers[c] = Task.Run(() => Connection(connection));
        }
        Task.WaitAll(workers);
        File.WriteAllLines(ackedPath, acked);
        var answers = string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} ×{o.Value}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load: {batches} batches of {eventsPerBatch} events in {clock.Elapsed.TotalSeconds:F1} s, {acked.Count} acknowledged, {retries} retries, {givenUp.Count} given up; answers: {answers}"));
        return 0;
    }

    private static HttpClient NewClient()
    {
        // One connection per shipper worker, one request in flight on it.
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, ConnectTimeout = TimeSpan.FromSeconds(1), UseProxy = false };
        return new HttpClient(handler, disposeHandler: true) { Timeout = RequestTimeout };
    }

    /// <summary>The status code, or what went wrong instead ("reset", "refused", "timeout").</summary>
    private static async Task<string> SendAsync(HttpClient http, Uri url, byte[] body)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(url, content);
            await response.Content.ReadAsByteArrayAsync();
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException e)
        {
            return e.HttpRequestError == HttpRequestError.ConnectionError ? "refused" : "reset";
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }

    /// <summary>The marker of each event of a batch, as <see cref="Body"/> writes it.</summary>
    public static string Marker(string batchKey, int index) => $"{batchKey}.{index}";

    private static byte[] Body(string key, int events)
    {
        var sb = new StringBuilder(events * 160);
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        sb.Append("{\"events\":[");
        for (int i = 0; i < events; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append("{\"project_id\":\"cluster\",\"timestamp\":\"").Append(time)
              .Append("\",\"level\":\"info\",\"service\":\"cluster-test\",\"message\":\"").Append(Marker(key, i)).Append("\"}");
        }
        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
