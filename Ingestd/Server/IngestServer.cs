using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ingestd.Auth;
using Ingestd.Config;
using Ingestd.Endpoints;
using Ingestd.Http;
using Ingestd.Idempotency;
using Ingestd.Ingest;
using Ingestd.Limits;
using Ingestd.Parsing.Dialects.Elastic;
using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Dialects.Splunk;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Processing;
using Ingestd.Processing;
using Ingestd.Ring;
using Ingestd.Storage;
using Ingestd.Subscriptions;
using Ingestd.Transport;

namespace Ingestd.Server;

/// <summary>
/// Wires the data path together and runs it: listener → connections → ring → segment writer.
/// Start-up recovers the segment log before the first byte is accepted; shutdown stops
/// accepting, lets in-flight requests finish, drains the ring and fsyncs.
/// </summary>
internal sealed class IngestServer : IAsyncDisposable
{
    private readonly IngestdConfig _config;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<HttpConnection, Task> _connections = new();
    private readonly Metrics _metrics = new();
    private StorageStack? _storage;
    private SocketListener? _listener;
    private ServerContext? _context;
    private Timer? _heartbeat;
    private FileStream? _dirLock;
    private IdempotencyStore? _idempotency;
    private TenantDirectory? _tenants;
    private AirAuth? _airAuth;
    private OperynServiceLimit? _operynDefaultOrg;
    private readonly LiveConfig _live;

    private readonly ProcessingStage _processing;

    /// <param name="pipelines">The config's pipelines, already compiled (start-up checks them first); null compiles them here.</param>
    public IngestServer(IngestdConfig config, PipelineSet? pipelines = null)
    {
        _config = config;
        _live = new LiveConfig(config);
        _processing = new ProcessingStage(_metrics);
        _processing.Swap(pipelines ?? PipelineCompiler.Compile(config));
    }

    /// <summary>The processing pipelines in force (change on <see cref="Reload"/>).</summary>
    public PipelineSet Pipelines => _processing.Current;

    /// <summary>The configuration in force (changes on <see cref="Reload"/>).</summary>
    public IngestdConfig Config => _live.Current;

    public IReadOnlyList<IPEndPoint> BoundEndPoints => _listener?.BoundEndPoints ?? Array.Empty<IPEndPoint>();
    public Metrics Metrics => _metrics;
    public SubscriptionHub Subscriptions { get; } = new();

    /// <summary>Every route the server answers (after <see cref="Start"/>).</summary>
    public IReadOnlyList<Endpoint> Endpoints => _context?.Router.Endpoints ?? Array.Empty<Endpoint>();

    public void Start()
    {
        var storage = _config.Storage;
        var dataDir = Path.GetFullPath(_config.Server.DataDir);
        _dirLock = LockDataDirectory(dataDir);
        _storage = StorageStack.Open(storage, dataDir, _metrics, Log.Warn);

        _tenants = new TenantDirectory(_config.Tenants);
        if (_tenants.IsOpen) Log.Warn("no tenants configured: every endpoint is open to anyone who can reach it");
        var limits = _config.Limits;
        var jwt = JwtVerifier.Create(_config.Auth.JwtHs256Secrets, _config.Auth.JwtPublicKeys);
        if (!jwt.HasKeys) Log.Warn("no JWT keys configured (auth.jwt_hs256_secrets, auth.jwt_public_keys): the Air routes are open");
        _airAuth = new AirAuth(jwt);
        _idempotency = IdempotencyStore.Open(Path.Combine(dataDir, "idempotency.log"), limits.IdempotencyWindow, log: Log.Warn,
            firstUnsafeSequence: _storage.Log.FirstUnsafeSequence);
        _operynDefaultOrg = new OperynServiceLimit(dataDir, limits.OperynDefaultOrgMaxServices);
        Endpoint[] endpoints =
        [
            new HealthEndpoint(),
            new MetricsEndpoint(_metrics, Gauges),
            new OpenApiEndpoint(),
            DocsPageEndpoint.SwaggerUi(),
            DocsPageEndpoint.ScalarReference(),
            new WebAssetEndpoint(),
            new DrainEndpoint(_tenants),
            new StreamsEndpoint(_tenants, _live),
            new GuardianEndpoint(_tenants, new TokenBucketLimiter(), _idempotency, _live),
            new OperynEndpoint(OperynRoute.Log, _tenants, _operynDefaultOrg),
            new OperynEndpoint(OperynRoute.LogBatch, _tenants, _operynDefaultOrg),
            new OperynEndpoint(OperynRoute.Metric, _tenants, _operynDefaultOrg),
            new OperynEndpoint(OperynRoute.Deployment, _tenants, _operynDefaultOrg),
            new AirIngestEndpoint(_airAuth, Subscriptions, _live),
            new AirSubscribeEndpoint(_airAuth, Subscriptions, _live),
            new LokiPushEndpoint(_tenants, _live),
            .. ElasticEndpoints(new ElasticAuth(_tenants), limits.MaxBodyBytes),
            .. SplunkEndpoints(_tenants),
            new OtlpEndpoint(OtlpSignal.Logs, _tenants),
            new OtlpEndpoint(OtlpSignal.Traces, _tenants),
            new OtlpEndpoint(OtlpSignal.Metrics, _tenants),
            new GelfEndpoint(_tenants),
            new JournalUploadEndpoint(_tenants),
        ];

        _context = new ServerContext
        {
            Limits = RequestLimits.From(limits),
            Router = new Router(endpoints),
            Pipeline = _storage.Pipeline,
            Metrics = _metrics,
            Processing = _processing,
            ShuttingDown = _shutdown.Token,
        };

        _listener = new SocketListener(OnAccepted);
        _listener.Start(_config.Server.Listen);
        _heartbeat = new Timer(_ => Heartbeat(), null, 1000, 1000);
        Log.Info($"data in {Path.GetFullPath(_config.Server.DataDir)}, durability {storage.Durability.ToString().ToLowerInvariant()}, next sequence {_storage.Log.NextSequence}");
    }

    private static Endpoint[] ElasticEndpoints(ElasticAuth auth, long maxBodyBytes) =>
    [
        new ElasticRootEndpoint(auth),
        new ElasticBulkEndpoint(auth, indexInPath: false),
        new ElasticBulkEndpoint(auth, indexInPath: true),
        new ElasticInfoEndpoint(auth, "/_cluster/health", ElasticResponses.ClusterHealth("ingestd")),
        new ElasticInfoEndpoint(auth, "/_license", ElasticResponses.License.ToArray()),
        new ElasticInfoEndpoint(auth, "/_xpack", ElasticResponses.XPack.ToArray()),
        new ElasticSetupEndpoint(auth, "/_index_template/{name}"),
        new ElasticSetupEndpoint(auth, "/_template/{name}"),
        new ElasticSetupEndpoint(auth, "/_ilm/policy/{name}"),
        new ElasticShardsEndpoint(auth, "/_refresh"),
        new ElasticShardsEndpoint(auth, "/{index}/_refresh"),
        new ElasticShardsEndpoint(auth, "/_flush"),
        new ElasticShardsEndpoint(auth, "/{index}/_flush"),
        new ElasticCatHealthEndpoint(auth),
        new ElasticNodesHttpEndpoint(auth, maxBodyBytes),
        new ElasticIndexExistsEndpoint(auth), // last: "/{index}" takes any one-segment path no other route has
    ];

    private static Endpoint[] SplunkEndpoints(TenantDirectory tenants) =>
    [
        new SplunkHecEndpoint(HecRoute.Event, "/services/collector", tenants),
        new SplunkHecEndpoint(HecRoute.Event, "/services/collector/event", tenants),
        new SplunkHecEndpoint(HecRoute.Event, "/services/collector/event/1.0", tenants),
        new SplunkHecEndpoint(HecRoute.Raw, "/services/collector/raw", tenants),
        new SplunkHecEndpoint(HecRoute.Raw, "/services/collector/raw/1.0", tenants),
        new SplunkHecEndpoint(HecRoute.Health, "/services/collector/health", tenants),
        new SplunkHecEndpoint(HecRoute.Health, "/services/collector/health/1.0", tenants),
    ];

    private ServerGauges Gauges() => new(
        _storage?.Ring.Capacity ?? 0, _storage?.Ring.Fill ?? 0, _storage?.Log.SegmentCount ?? 0, _storage?.Log.BytesOnDisk ?? 0,
        Subscriptions.Count, _storage?.Writer.Health);

    /// <summary>
    /// Applies a new configuration without dropping connections or data: tenants and keys, rate
    /// limits, JWT keys, every [limits] value and the processing pipelines (lookup files re-read). Listen addresses, data_dir and [storage] need a
    /// restart; a change there is reported and ignored. Throws (leaving the old config in force)
    /// when the new one cannot be applied, e.g. an unreadable PEM file.
    /// </summary>
    public void Reload(IngestdConfig next)
    {
        var current = _live.Current;
        var jwt = JwtVerifier.Create(next.Auth.JwtHs256Secrets, next.Auth.JwtPublicKeys);
        // Compiled (lookup files re-read) before anything changes: a bad pipeline keeps the running ones.
        var pipelines = PipelineCompiler.Compile(next);
        if (!next.Server.Equals(current.Server)) Log.Warn("reload: [server] changes (listen, data_dir) take effect after a restart");
        if (!next.Storage.Equals(current.Storage)) Log.Warn("reload: [storage] changes take effect after a restart");
        next = next with { Server = current.Server, Storage = current.Storage };
        _tenants!.Reload(next.Tenants);
        _airAuth!.Reload(jwt);
        _operynDefaultOrg!.Max = next.Limits.OperynDefaultOrgMaxServices;
        _context!.Limits = RequestLimits.From(next.Limits);
        _live.Current = next;
        _processing.Swap(pipelines);
        Log.Info($"reloaded configuration: {next.Tenants.Count} tenants, {pipelines.Pipelines.Length} pipelines");
    }

    /// <summary>For the systemd watchdog: the segment writer thread is still running its loop.</summary>
    public bool IsHealthy => _storage?.Writer.IsAlive ?? false;

    /// <summary>A one-line summary for systemd's STATUS=.</summary>
    public string StatusLine(double eventsPerSecond) =>
        (_storage is { Writer.Health.Writable: false } ? "STORAGE NOT WRITABLE (see the log), " : "") + $"{_metrics.OpenConnections.Value} connections, {eventsPerSecond:0} events/s, ring {(_storage is null ? 0 : 100.0 * _storage.Ring.Fill / _storage.Ring.Capacity):0}% full, {_metrics.EventsAccepted.Value} events since start";

    // Two daemons appending to one directory would interleave blocks; an advisory lock
    // (flock, released by the kernel even on kill -9) makes the second one refuse to start.
    private static FileStream LockDataDirectory(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        try
        {
            return new FileStream(Path.Combine(dataDir, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new IOException($"data directory {dataDir} is in use by another ingestd");
        }
    }


    private void OnAccepted(Socket socket)
    {
        if (_shutdown.IsCancellationRequested || _connections.Count >= _context!.Limits.MaxConnections)
        {
            socket.Dispose();
            return;
        }
        var connection = new HttpConnection(new SocketConnection(socket), _context!);
        _metrics.OpenConnections.Increment();
        _connections[connection] = RunConnectionAsync(connection);
    }

    private async Task RunConnectionAsync(HttpConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            _metrics.OpenConnections.Decrement();
            connection.Dispose();
        }
    }

    private void Heartbeat()
    {
        HttpDate.Refresh(DateTimeOffset.UtcNow);
        long now = Stopwatch.GetTimestamp();
        foreach (var c in _connections.Keys) c.OnHeartbeat(now);
    }

    /// <summary>
    /// Graceful stop: no new connections, idle ones closed, in-flight requests finished
    /// (bounded by <paramref name="drainTimeout"/>), ring drained and fsynced.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        if (_shutdown.IsCancellationRequested) return;
        Log.Info("shutting down: no longer accepting connections");
        _shutdown.Cancel();
        _listener?.Stop();
        var deadline = Stopwatch.GetTimestamp() + (long)(drainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_connections.IsEmpty && Stopwatch.GetTimestamp() < deadline)
        {
            foreach (var c in _connections.Keys) c.OnShutdown();
            await Task.WhenAny(Task.WhenAll(_connections.Values), Task.Delay(100)).ConfigureAwait(false);
        }
        if (!_connections.IsEmpty) Log.Warn($"{_connections.Count} connections still open after {drainTimeout.TotalSeconds:0}s; closing them");
        _heartbeat?.Dispose();
        _storage?.Stop();
        Log.Info($"stopped; next sequence {_storage?.Log.NextSequence}");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _storage?.Dispose();
        _idempotency?.Dispose();
        _dirLock?.Dispose();
        _shutdown.Dispose();
    }
}
