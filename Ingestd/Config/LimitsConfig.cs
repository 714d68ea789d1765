
namespace Ingestd.Config;

/// <summary><c>[limits]</c>: every bound the HTTP layer enforces, in one place.</summary>
internal sealed record LimitsConfig
{
    /// <summary><c>max_body_bytes</c>: applies to the encoded body and again to the decoded one.</summary>
    public long MaxBodyBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary><c>max_request_line_bytes</c>: longer request lines get 414.</summary>
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;

    /// <summary><c>max_header_bytes</c>: total size of the header section.</summary>
    public int MaxHeaderBytes { get; init; } = 32 * 1024;

    /// <summary><c>max_header_count</c>: number of header fields.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary><c>header_timeout</c>: time allowed to receive the request line and headers.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>idle_timeout</c>: a keep-alive connection with no request in flight is closed after this.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>body_timeout</c>: longest gap allowed between two reads of a request body.</summary>
    public TimeSpan BodyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>max_connections</c>: connections beyond this are refused at accept.</summary>
    public int MaxConnections { get; init; } = 10000;

    /// <summary><c>stream_max_body_bytes</c>: Streams (<c>/v1/streams/ingest</c>) payload limit; its seed says 1 MB.</summary>
    public long StreamMaxBodyBytes { get; init; } = 1024 * 1024;

    /// <summary><c>air_max_entries</c>: entries per Air request; its seed says 1000.</summary>
    public int AirMaxEntries { get; init; } = 1000;

    /// <summary><c>operyn_default_org_max_services</c>: distinct services the Operyn default organisation may send.</summary>
    public int OperynDefaultOrgMaxServices { get; init; } = 5;

    /// <summary><c>idempotency_window</c>: how long a Guardian Idempotency-Key is remembered.</summary>
    public TimeSpan IdempotencyWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary><c>default_rate_limit_per_minute</c>: Guardian's bucket size when no tenants (and so no per-tenant limit) are configured.</summary>
    public int DefaultRateLimitPerMinute { get; init; } = 120;

    /// <summary><c>sse_subscriber_buffer</c>: entries queued per SSE subscriber; a subscriber that falls this far behind is dropped.</summary>
    public int SseSubscriberBuffer { get; init; } = 1000;

    /// <summary><c>tls_handshake_timeout</c>: a TLS client that has not finished its handshake by then is disconnected.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>max_tls_handshakes</c>: handshakes in progress at once; connections beyond it are closed at accept (a TLS slowloris cannot starve real clients).</summary>
    public int MaxTlsHandshakes { get; init; } = 256;

    /// <summary><c>query_max_records</c>: records one query page may hold (the largest <c>limit</c>).</summary>
    public int QueryMaxRecords { get; init; } = 10_000;

    /// <summary><c>query_max_bytes</c>: a query answer stops (truncated, with a cursor) once it holds this many bytes.</summary>
    public long QueryMaxBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary><c>query_max_time</c>: a query stops scanning (truncated, with a cursor) after this long.</summary>
    public TimeSpan QueryMaxTime { get; init; } = TimeSpan.FromSeconds(10);
}
