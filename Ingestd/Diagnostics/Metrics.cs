using System.Collections.Concurrent;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Records;

namespace Ingestd.Diagnostics;

/// <summary>
/// Process-wide counters, updated with interlocked adds (no locks on the request path).
/// Labelled families use dictionaries keyed by small value tuples: after a label set's first
/// request, counting it allocates nothing.
/// </summary>
internal sealed class Metrics
{
    public ConcurrentDictionary<(string Route, int Status), Counter> RequestsByRoute { get; } = new();
    public ConcurrentDictionary<(Dialect Dialect, string Tenant), Counter> EventsByTenant { get; } = new();
    public ConcurrentDictionary<(Dialect Dialect, string Tenant), Counter> BytesByTenant { get; } = new();
    public Counter[] DecodedBytesByEncoding { get; } = [new(), new(), new(), new(), new()];

    public void CountRequest(string route, int status)
        => RequestsByRoute.GetOrAdd((route, status), static _ => new Counter()).Increment();

    public void CountAccepted(Dialect dialect, string tenant, int events, long bytes)
    {
        EventsByTenant.GetOrAdd((dialect, tenant), static _ => new Counter()).Add(events);
        BytesByTenant.GetOrAdd((dialect, tenant), static _ => new Counter()).Add(bytes);
    }

    /// <summary>Events through a pipeline step, by outcome (step "match": events a pipeline matched).</summary>
    public ConcurrentDictionary<(string Pipeline, string Step, string Outcome), Counter> PipelineEvents { get; } = new();

    /// <summary>Time spent in each pipeline step, nanoseconds (estimated from 1 event in 16).</summary>
    public ConcurrentDictionary<(string Pipeline, string Step), Counter> PipelineStepNanos { get; } = new();

    public Counter PipelineEvent(string pipeline, string step, string outcome)
        => PipelineEvents.GetOrAdd((pipeline, step, outcome), static _ => new Counter());

    public Counter PipelineStepTime(string pipeline, string step)
        => PipelineStepNanos.GetOrAdd((pipeline, step), static _ => new Counter());

    public void CountDecoded(ContentCoding coding, long bytes) => DecodedBytesByEncoding[(int)coding].Add(bytes);

    /// <summary>Per output (<c>[[outputs]]</c> name): delivery figures.</summary>
    public ConcurrentDictionary<string, OutputStats> Outputs { get; } = new();

    public Counter EventsAccepted { get; } = new();
    public Counter BytesReceived { get; } = new();
    public Counter Rejected429 { get; } = new();
    public Counter BlocksWritten { get; } = new();
    public Counter IdleTimeoutCloses { get; } = new();
    public Gauge OpenConnections { get; } = new();

    /// <summary><c>ingestd_tls_handshakes_total</c>, indexed by <see cref="TlsHandshakeOutcome"/>.</summary>
    public Counter[] TlsHandshakes { get; } = [new(), new(), new(), new()];

    public void CountTlsHandshake(TlsHandshakeOutcome outcome) => TlsHandshakes[(int)outcome].Increment();
    public Histogram FsyncSeconds { get; } = new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);

    /// <summary>
    /// Per route: a request's time in the daemon, from its complete head to its answer handed to the socket (streamed
    /// answers not counted). Beside a client's view of latency it says how much of the tail is the daemon's own.
    /// </summary>
    public ConcurrentDictionary<string, Histogram> RequestSecondsByRoute { get; } = new();

    private static readonly double[] RequestBounds = [0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1];

    public void ObserveRequest(string route, double seconds)
        => RequestSecondsByRoute.GetOrAdd(route, static _ => new Histogram(RequestBounds)).Observe(seconds);

    /// <summary>Time to compress and append one segment block (observed per block, not per event).</summary>
    public Histogram BlockWriteSeconds { get; } = new([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25]);

    internal sealed class Counter
    {
        private long _value;
        public long Value => Volatile.Read(ref _value);
        public void Increment() => Interlocked.Increment(ref _value);
        public void Add(long n) => Interlocked.Add(ref _value, n);
    }

    internal sealed class Gauge
    {
        private long _value;
        public long Value => Volatile.Read(ref _value);
        public void Increment() => Interlocked.Increment(ref _value);
        public void Decrement() => Interlocked.Decrement(ref _value);
    }

    internal sealed class Histogram
    {
        private readonly double[] _bounds;
        private readonly long[] _counts;
        private long _count;
        private long _sumMicros;

        public Histogram(double[] bounds)
        {
            _bounds = bounds;
            _counts = new long[bounds.Length + 1];
        }

        public IReadOnlyList<double> Bounds => _bounds;
        public long Count => Volatile.Read(ref _count);
        public double Sum => Volatile.Read(ref _sumMicros) / 1e6;
        public long BucketCount(int i) => Volatile.Read(ref _counts[i]);

        public void Observe(double value)
        {
            int i = 0;
            while (i < _bounds.Length && value > _bounds[i]) i++;
            Interlocked.Increment(ref _counts[i]);
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _sumMicros, (long)(value * 1e6));
        }
    }
}

/// <summary>How a TLS handshake ended (the <c>outcome</c> label of <c>ingestd_tls_handshakes_total</c>).</summary>
internal enum TlsHandshakeOutcome
{
    /// <summary>Completed; the connection goes on to HTTP.</summary>
    Ok,

    /// <summary>The client broke off, spoke no TLS, offered only old versions, or its certificate was refused.</summary>
    Failed,

    /// <summary>Not finished within <c>limits.tls_handshake_timeout</c>.</summary>
    Timeout,

    /// <summary>Closed at accept because <c>limits.max_tls_handshakes</c> were already in progress.</summary>
    Refused,
}
