namespace Ingestd.Bench.Load;

/// <summary>What <see cref="LoadGenerator.RunAsync"/> sends, how hard and for how long.</summary>
internal sealed record LoadOptions
{
    /// <summary><c>http://host:port/path</c> or <c>https://…</c>; every request is <c>POST</c> to it.</summary>
    public required Uri Url { get; init; }

    /// <summary>For https: the CA certificates (PEM) the server's certificate must chain to; null = the system store.</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>The request body, sent exactly as given (pre-compress it for a Content-Encoding).</summary>
    public required byte[] Body { get; init; }

    /// <summary>Extra header fields, e.g. <c>Authorization</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Sets <c>Content-Encoding</c>; the body is not compressed here.</summary>
    public string? ContentEncoding { get; init; }

    public string ContentType { get; init; } = "application/json";

    /// <summary>Keep-alive connections, each one async loop with one request in flight.</summary>
    public int Connections { get; init; } = 64;

    /// <summary>The measured window.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests before the measured window: sent, not counted.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Total requests/s across all connections (open model: each connection keeps a schedule of
    /// intended send times, and latency counts from the intended time, correcting for coordinated
    /// omission). Null: closed loop, each connection sends its next request when the last is answered.
    /// </summary>
    public double? Rate { get; init; }

    /// <summary>Events in one body, for events/s; 0 = count them from the body (<see cref="EventCounter"/>).</summary>
    public int EventsPerRequest { get; init; }

    /// <summary>The server process, for CPU seconds and peak RSS; null = the local process listening on the URL's port.</summary>
    public int? ServerPid { get; init; }

    /// <summary>
    /// Also report the measured window in slices of this length (<see cref="LoadResult.Slices"/>), from the same
    /// connections: a soak sees its minutes without reconnecting between them. Null: the whole window only.
    /// </summary>
    public TimeSpan? Slice { get; init; }

    /// <summary>Longest wait for one response (send included) before the connection is dropped and an error counted.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
