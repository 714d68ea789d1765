using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ingestd.Bench.Load;

/// <summary>
/// An HTTP/1.1 load generator on raw sockets: N keep-alive connections, each an async loop
/// sending the same pre-built request (HttpClient would be the bottleneck long before the
/// server). Reports throughput, latency percentiles and the server's CPU time.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<LoadResult> RunAsync(LoadOptions options, CancellationToken ct = default)
    {
        Validate(options);
        int eventsPerRequest = options.EventsPerRequest > 0 ? options.EventsPerRequest : EventCounter.Count(options.Body, options.ContentEncoding);
        var endPoint = await ResolveAsync(options.Url, ct);
        var request = BuildRequest(options);
        var tls = options.Url.Scheme == Uri.UriSchemeHttps ? LoadTls.ClientOptions(options.Url, options.CaCertificatePath) : null;
        int? pid = options.ServerPid ?? (ProcessStats.Supported ? ProcessStats.FindListener(options.Url) : null);

        var window = new LoadWindow(Stopwatch.GetTimestamp(), options.Warmup, options.Duration, options.Rate, options.Connections, options.Slice);
        double? cpuAtStart = options.Warmup > TimeSpan.Zero || pid is null ? null : ProcessStats.CpuSeconds(pid.Value);
        var connections = new LoadConnection[options.Connections];
        var loops = new Task[connections.Length];
        for (int i = 0; i < connections.Length; i++)
        {
            var connection = connections[i] = new LoadConnection(endPoint, request, window, i, options.RequestTimeout, tls);
            loops[i] = Task.Run(() => connection.RunAsync(ct), CancellationToken.None);
        }
        if (options.Warmup > TimeSpan.Zero)
        {
            try { await Task.Delay(options.Warmup, ct); }
            catch (OperationCanceledException) { }
            if (pid is not null) cpuAtStart = ProcessStats.CpuSeconds(pid.Value);
        }
        await Task.WhenAll(loops);
        // The window ends when the last request started before its end has been answered.
        long finished = Stopwatch.GetTimestamp();
        double? cpuAtEnd = pid is null ? null : ProcessStats.CpuSeconds(pid.Value);
        long? peakRss = pid is null ? null : ProcessStats.PeakRssBytes(pid.Value);

        var elapsed = TimeSpan.FromSeconds(Math.Max(0, finished - window.MeasureStartTicks) / (double)Stopwatch.Frequency);
        double? cpu = cpuAtStart is double a && cpuAtEnd is double b ? b - a : null;
        var slices = new List<LoadResult>();
        for (int i = 0; i < window.SliceCount; i++)
        {
            // The last slice ends when the window does (its last answers may come a little after).
            var length = i < window.SliceCount - 1 ? TimeSpan.FromSeconds(window.SliceTicks / (double)Stopwatch.Frequency)
                : elapsed - TimeSpan.FromSeconds(i * window.SliceTicks / (double)Stopwatch.Frequency);
            slices.Add(Summarise(connections.Select(c => c.Slices[i]), length, options, eventsPerRequest, null, null));
        }
        return Summarise(connections.Select(c => c.Total), elapsed, options, eventsPerRequest, cpu, peakRss) with { Slices = slices };
    }

    private static LoadResult Summarise(IEnumerable<LoadTally> tallies, TimeSpan elapsed, LoadOptions options, int eventsPerRequest, double? cpu, long? peakRss)
    {
        var latency = new LatencyHistogram();
        long requests = 0, ok = 0, errors = 0;
        var nonSuccess = new SortedDictionary<int, long>();
        foreach (var c in tallies)
        {
            latency.Add(c.Latency);
            requests += c.Requests;
            ok += c.Ok2xx;
            errors += c.Errors;
            foreach (var (status, count) in c.NonSuccessByStatus) nonSuccess[status] = nonSuccess.GetValueOrDefault(status) + count;
        }

        double seconds = elapsed.TotalSeconds;
        double PerSecond(double amount) => seconds > 0 ? amount / seconds : 0;
        double events = (double)ok * eventsPerRequest;
        return new LoadResult
        {
            Requests = requests,
            Ok2xx = ok,
            NonSuccessByStatus = nonSuccess,
            Errors = errors,
            Elapsed = elapsed,
            RequestsPerSecond = PerSecond(requests),
            EventsPerSecond = PerSecond(events),
            BodyMBPerSecond = PerSecond((double)requests * options.Body.Length / 1e6),
            P50Ms = latency.ValueAtPercentileNs(50) / 1e6,
            P90Ms = latency.ValueAtPercentileNs(90) / 1e6,
            P99Ms = latency.ValueAtPercentileNs(99) / 1e6,
            P999Ms = latency.ValueAtPercentileNs(99.9) / 1e6,
            MaxMs = latency.MaxNs / 1e6,
            MeanMs = latency.MeanNs / 1e6,
            ServerCpuSeconds = cpu,
            EventsPerCpuSecond = cpu > 0 ? events / cpu : null,
            ServerPeakRssBytes = peakRss,
            EventsPerRequest = eventsPerRequest,
        };
    }

    /// <summary>
    /// The whole request, built once: request line, Host, Content-Type, Content-Length, the
    /// optional Content-Encoding and extra fields, then the body (RFC 9112 §3, §6.2).
    /// </summary>
    internal static byte[] BuildRequest(LoadOptions options)
    {
        var head = new StringBuilder();
        head.Append("POST ").Append(options.Url.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(options.Url.Authority).Append("\r\n");
        AppendField(head, "Content-Type", options.ContentType);
        head.Append("Content-Length: ").Append(options.Body.Length).Append("\r\n");
        if (!string.IsNullOrEmpty(options.ContentEncoding)) AppendField(head, "Content-Encoding", options.ContentEncoding);
        foreach (var (name, value) in options.Headers) AppendField(head, name, value);
        head.Append("\r\n");
        var headBytes = Encoding.ASCII.GetBytes(head.ToString());
        var request = new byte[headBytes.Length + options.Body.Length];
        headBytes.CopyTo(request, 0);
        options.Body.CopyTo(request, headBytes.Length);
        return request;
    }

    private static void AppendField(StringBuilder head, string name, string value)
    {
        if (name.Length == 0 || name.Any(c => c <= ' ' || c == ':' || c > '~'))
            throw new ArgumentException($"invalid header name '{name}'");
        if (value.Any(c => c is '\r' or '\n' || c > '~'))
            throw new ArgumentException($"invalid value for header '{name}' (CR, LF or non-ASCII)");
        head.Append(name).Append(": ").Append(value.Trim()).Append("\r\n");
    }

    private static void Validate(LoadOptions o)
    {
        if (o.Url.Scheme != Uri.UriSchemeHttp && o.Url.Scheme != Uri.UriSchemeHttps) throw new ArgumentException("only http:// and https:// URLs are supported");
        if (o.Connections < 1) throw new ArgumentException("connections must be at least 1");
        if (o.Duration <= TimeSpan.Zero) throw new ArgumentException("duration must be positive");
        if (o.Warmup < TimeSpan.Zero) throw new ArgumentException("warmup must not be negative");
        if (o.Rate is double r && !(r > 0 && double.IsFinite(r))) throw new ArgumentException("rate must be a positive number of requests per second");
        if (o.RequestTimeout <= TimeSpan.Zero) throw new ArgumentException("request timeout must be positive");
        if (o.EventsPerRequest < 0) throw new ArgumentException("events per request must not be negative");
    }

    private static async Task<EndPoint> ResolveAsync(Uri url, CancellationToken ct)
    {
        if (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var address)) return new IPEndPoint(address, url.Port);
        var addresses = await Dns.GetHostAddressesAsync(url.IdnHost, ct);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ArgumentException($"cannot resolve '{url.Host}'");
        return new IPEndPoint(chosen, url.Port);
    }
}
