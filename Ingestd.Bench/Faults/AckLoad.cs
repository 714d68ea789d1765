using System.Diagnostics;
using System.Net;
using System.Text;

namespace Ingestd.Bench.Faults;

/// <summary>
/// The load of one phase of a scenario: several connections POST <c>/v1/drain</c> bodies at a fixed total rate,
/// every event with a unique id in its message (<c>{phase}.{connection}.{request}.{event}</c>). A request's ids
/// count as acknowledged only when it got a 2xx; 429/503/507 answers, refused or reset connections and timeouts
/// are tolerated and counted, and their events are not acknowledged. Keeps running across a daemon restart on
/// the same port (a refused connection is retried after a short pause).
/// </summary>
internal sealed class AckLoad
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly Uri _url;
    private readonly string _phase;
    private readonly int _connections;
    private readonly TimeSpan _interval;
    private readonly int _eventsPerRequest;
    private readonly Stopwatch _clock;
    private readonly Dictionary<string, double> _acked = [];   // request key -> seconds on the scenario clock
    private readonly List<(double At, string Outcome)> _outcomes = []; // "202", "503", "refused", … with when
    private readonly List<Task> _workers = [];
    private volatile bool _stopping;
    private volatile bool _paused;
    private int _inFlight;

    /// <param name="clock">The scenario's clock, so acknowledgement times line up with the fault times.</param>
    public AckLoad(int port, string phase, Stopwatch clock, int connections = 4, double requestsPerSecond = 200, int eventsPerRequest = 10)
    {
        _url = new Uri($"http://127.0.0.1:{port}/v1/drain");
        _phase = phase;
        _clock = clock;
        _connections = connections;
        _interval = TimeSpan.FromSeconds(connections / requestsPerSecond);
        _eventsPerRequest = eventsPerRequest;
    }

    public int EventsPerRequest => _eventsPerRequest;

    public void Start()
    {
        for (int c = 0; c < _connections; c++)
        {
            int connection = c;
            _workers.Add(Task.Run(() => RunConnectionAsync(connection)));
        }
    }

    /// <summary>Sends no new request; waits (bounded by the request timeout) for the ones in flight.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        await Task.WhenAll(_workers).WaitAsync(RequestTimeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _single?.Dispose();
    }

    /// <summary>Acknowledged requests: key (<c>phase.connection.request</c>) and when the 2xx arrived.</summary>
    public IReadOnlyDictionary<string, double> Acknowledged
    {
        get { lock (_acked) return new Dictionary<string, double>(_acked); }
    }

    /// <summary>Every request's outcome (status code, "refused", "reset", "timeout") and when it came.</summary>
    public IReadOnlyList<(double At, string Outcome)> Outcomes
    {
        get { lock (_outcomes) return _outcomes.ToArray(); }
    }

    /// <summary>
    /// Holds the connections' next requests (those in flight still finish; see <see cref="WaitIdleAsync"/>), so a
    /// scenario can bring the daemon to an exact state (a segment at its size limit) before the fault.
    /// </summary>
    public void Pause() => _paused = true;

    public void Resume() => _paused = false;

    /// <summary>Waits (bounded by the request timeout) until no request is in flight.</summary>
    public async Task WaitIdleAsync()
    {
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref _inFlight) > 0 && waited.Elapsed < RequestTimeout) await Task.Delay(5).ConfigureAwait(false);
    }

    /// <summary>One request on a connection of its own (acknowledged like any other); true on a 2xx.</summary>
    public async Task<bool> SendOneAsync()
    {
        _single ??= NewClient();
        return await SendAsync(_single, $"{_phase}.{_connections}.{_singleCount++}").ConfigureAwait(false);
    }

    private HttpClient? _single;
    private int _singleCount;

    private static HttpClient NewClient()
    {
        // One pooled connection per client: one request in flight per socket, as a shipper does.
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectTimeout = TimeSpan.FromSeconds(1),
            UseProxy = false,
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = RequestTimeout };
    }

    private async Task RunConnectionAsync(int connection)
    {
        using var http = NewClient();
        long next = Stopwatch.GetTimestamp();
        for (int request = 0; !_stopping; request++)
        {
            while (_paused && !_stopping)
            {
                await Task.Delay(5).ConfigureAwait(false);
                next = Stopwatch.GetTimestamp();
            }
            // Fixed schedule, but never a burst to catch up after a stall (the fault would then be hidden in a spike).
            long now = Stopwatch.GetTimestamp();
            if (next > now) await Task.Delay(Stopwatch.GetElapsedTime(now, next)).ConfigureAwait(false);
            next = Math.Max(next, now) + (long)(_interval.TotalSeconds * Stopwatch.Frequency);
            if (_stopping) break;
            if (_paused) continue;
            await SendAsync(http, $"{_phase}.{connection}.{request}").ConfigureAwait(false);
        }
    }

    private async Task<bool> SendAsync(HttpClient http, string key)
    {
        Interlocked.Increment(ref _inFlight);
        string outcome;
        bool acknowledged = false;
        try
        {
            using var content = new ByteArrayContent(Body(key));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(_url, content).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            int status = (int)response.StatusCode;
            outcome = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (status is >= 200 and < 300)
            {
                acknowledged = true;
                lock (_acked) _acked[key] = _clock.Elapsed.TotalSeconds;
            }
        }
        catch (HttpRequestException e)
        {
            outcome = e.HttpRequestError == HttpRequestError.ConnectionError ? "refused" : "reset";
            await Task.Delay(50).ConfigureAwait(false);
        }
        catch (TaskCanceledException)
        {
            outcome = "timeout";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever else went wrong, the request was not acknowledged; the name shows up in the details.
            outcome = e.GetType().Name;
            await Task.Delay(50).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
        lock (_outcomes) _outcomes.Add((_clock.Elapsed.TotalSeconds, outcome));
        return acknowledged;
    }

    /// <summary>The ids of a request's events (as they appear in the stored messages).</summary>
    public static IEnumerable<string> EventIds(string requestKey, int eventsPerRequest)
    {
        for (int i = 0; i < eventsPerRequest; i++) yield return $"{requestKey}.{i}";
    }

    // The seed's drain shape; a random pad per event keeps zstd from shrinking blocks to nothing, so the disk
    // fills and blocks are big enough to be cut by a partial write.
    private byte[] Body(string key)
    {
        Span<byte> random = stackalloc byte[16];
        var sb = new StringBuilder(_eventsPerRequest * 260);
        string time = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        sb.Append("{\"events\":[");
        for (int i = 0; i < _eventsPerRequest; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append("{\"project_id\":\"faults\",\"timestamp\":\"").Append(time)
              .Append("\",\"level\":\"info\",\"service\":\"faults\",\"message\":\"").Append(key).Append('.').Append(i)
              .Append("\",\"metadata\":{\"pad\":\"");
            Random.Shared.NextBytes(random);
            sb.Append(Convert.ToHexString(random)).Append("\"}}");
        }
        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
