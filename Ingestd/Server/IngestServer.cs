using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ingestd.Auth;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Endpoints;
using Ingestd.Endpoints.Air;
using Ingestd.Endpoints.Astralog;
using Ingestd.Endpoints.Elastic;
using Ingestd.Endpoints.Gelf;
using Ingestd.Endpoints.Guardian;
using Ingestd.Endpoints.Journal;
using Ingestd.Endpoints.Loki;
using Ingestd.Endpoints.Operations;
using Ingestd.Endpoints.Operyn;
using Ingestd.Endpoints.Otlp;
using Ingestd.Endpoints.Insights;
using Ingestd.Endpoints.Splunk;
using Ingestd.Endpoints.Streams;
using Ingestd.Http;
using Ingestd.Idempotency;
using Ingestd.Ingest;
using Ingestd.Limits;
using Ingestd.Outputs;
using Ingestd.Outputs.Destinations;
using Ingestd.Parsing.Dialects.Elastic;
using Ingestd.Parsing.Dialects.Otlp;
using Ingestd.Parsing.Dialects.Splunk;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Processing;
using Ingestd.Processing;
using Ingestd.Ring;
using Ingestd.Routing;
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
    private readonly List<(SocketListener Listener, TlsAcceptor Acceptor, TlsListenerConfig Config)> _tlsListeners = new();
    private TlsHandshakeGate? _handshakes;
    private ServerContext? _context;
    private Router? _router;
    private Timer? _heartbeat;
    private FileStream? _dirLock;
    private IdempotencyStore? _idempotency;
    private TenantDirectory? _tenants;
    private AirAuth? _airAuth;
    private OperynServiceLimit? _operynDefaultOrg;
    private OutputSet? _outputs;
    private readonly LiveConfig _live;
    private readonly ConsoleHistory _history;
    // One scanning thread per core the daemon may use (at most 4): more would only queue on the same cores.
    private readonly QueryWorkers _queryWorkers = new(Math.Clamp(Environment.ProcessorCount, 1, 4));

    private readonly ProcessingStage _processing;

    /// <param name="pipelines">The config's pipelines, already compiled (start-up checks them first); null compiles them here.</param>
    public IngestServer(IngestdConfig config, PipelineSet? pipelines = null)
    {
        _config = config;
        _live = new LiveConfig(config);
        _processing = new ProcessingStage(_metrics);
        _processing.Swap(pipelines ?? PipelineCompiler.Compile(config));
        _history = new ConsoleHistory(_metrics, Gauges);
    }

    /// <summary>The processing pipelines in force (change on <see cref="Reload"/>).</summary>
    public PipelineSet Pipelines => _processing.Current;

    /// <summary>The configuration in force (changes on <see cref="Reload"/>).</summary>
    public IngestdConfig Config => _live.Current;

    public IReadOnlyList<IPEndPoint> BoundEndPoints => _listener?.BoundEndPoints ?? Array.Empty<IPEndPoint>();

    /// <summary>The TLS listeners' bound addresses, in <c>[[server.tls]]</c> order.</summary>
    public IReadOnlyList<IPEndPoint> TlsBoundEndPoints => _tlsListeners.Select(t => t.Listener.BoundEndPoints[0]).ToList();
    public Metrics Metrics => _metrics;
    public SubscriptionHub Subscriptions { get; } = new();

    /// <summary>Every route the server answers (after <see cref="Start"/>).</summary>
    public IReadOnlyList<Endpoint> Endpoints => _router?.Endpoints ?? Array.Empty<Endpoint>();

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
        var readers = new QueryAccess(_tenants, _airAuth, _live);
        if (readers.IsOpen) Log.Warn("no tenants, JWT keys or auth.admin_keys configured: the query API (/v1/query, /v1/tail) reads every tenant's records for anyone who can reach it");
        _idempotency = IdempotencyStore.Open(Path.Combine(dataDir, "idempotency.log"), limits.IdempotencyWindow, log: Log.Warn,
            firstUnsafeSequence: _storage.Log.FirstUnsafeSequence);
        _operynDefaultOrg = new OperynServiceLimit(dataDir, limits.OperynDefaultOrgMaxServices);
        StartOutputs(dataDir);
        Endpoint[] endpoints =
        [
            new HealthEndpoint(),
            new MetricsEndpoint(_metrics, Gauges),
            new OpenApiEndpoint(),
            DocsPageEndpoint.SwaggerUi(),
            DocsPageEndpoint.ScalarReference(),
            DocsPageEndpoint.Console(),
            new OverviewEndpoint(readers, _history),
            new WebAssetEndpoint(),
            new AstralogEndpoint(_tenants),
            new StreamsEndpoint(_tenants, _live),
            new GuardianEndpoint(_tenants, new TokenBucketLimiter(), _idempotency, _live),
            new OperynEndpoint(OperynRoute.Log, _tenants, _operynDefaultOrg),
            new OperynEndpoint(OperynRoute.LogBatch, _tenants, _operynDefaultOrg),
            new OperynEndpoint(OperynRoute.Metric, _tenants, _operynDefaultOrg),
            new OperynEndpoint(OperynRoute.Deployment, _tenants, _operynDefaultOrg),
            new AirIngestEndpoint(_airAuth, _live),
            new AirSubscribeEndpoint(_airAuth, Subscriptions, _live),
            new QueryEndpoint(readers, _live, _queryWorkers),
            new QueryStatsEndpoint(readers, _live, _queryWorkers),
            new AirQueryEndpoint(readers, _live, _queryWorkers),
            new TailEndpoint(readers, Subscriptions, _live),
            new LokiPushEndpoint(_tenants, _live),
            .. ElasticEndpoints(new ElasticAuth(_tenants), limits.MaxBodyBytes),
            .. SplunkEndpoints(_tenants),
            new OtlpEndpoint(OtlpSignal.Logs, _tenants),
            new OtlpEndpoint(OtlpSignal.Traces, _tenants),
            new OtlpEndpoint(OtlpSignal.Metrics, _tenants),
            new GelfEndpoint(_tenants),
            new JournalUploadEndpoint(_tenants),
        ];

        var router = new Router(endpoints);
        var pipeline = _storage.Pipeline;
        var transportPolicy = new TransportPolicy(_config.Server.PlainHttp);
        _router = router;
        _context = new ServerContext
        {
            Limits = RequestLimits.From(limits),
            CreateHandler = connection => new RequestDispatcher(router, pipeline, _metrics, transportPolicy, connection.Security, _processing, Subscriptions),
            Metrics = _metrics,
            ShuttingDown = _shutdown.Token,
        };

        // Certificates first: a bad file stops start-up before any port is bound.
        var acceptors = CreateTlsAcceptors(_config.Server.Tls, limits);
        _listener = new SocketListener(OnAccepted);
        _listener.Start(_config.Server.Listen);
        for (int i = 0; i < acceptors.Count; i++)
        {
            var acceptor = acceptors[i];
            var listener = new SocketListener(socket => OnTlsAccepted(socket, acceptor));
            listener.Start([_config.Server.Tls[i].Listen]);
            _tlsListeners.Add((listener, acceptor, _config.Server.Tls[i]));
        }
        if (_tlsListeners.Count > 0) transportPolicy.HttpsPort = _tlsListeners[0].Listener.BoundEndPoints[0].Port;
        // The console's history starts now, so its first rates show a second later.
        _history.Sample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _heartbeat = new Timer(_ => Heartbeat(), null, 1000, 1000);
        Log.Info($"data in {Path.GetFullPath(_config.Server.DataDir)}, durability {storage.Durability.ToString().ToLowerInvariant()}, next sequence {_storage.Log.NextSequence}");
    }

    // Outputs read what the writer stored, beside it: retention asks them which sequences are still undelivered.
    private void StartOutputs(string dataDir)
    {
        var log = _storage!.Log;
        _outputs = new OutputSet(dataDir, _config.Server.NodeId, () => log.NextSequence, _metrics, DestinationFactory.Create);
        log.ProtectedFrom = _outputs.ProtectedFrom;
        log.DeletingProtected = _outputs.OnDeletingUndelivered;
        _outputs.Apply(_config.Outputs);
    }

    private List<TlsAcceptor> CreateTlsAcceptors(IReadOnlyList<TlsListenerConfig> listeners, LimitsConfig limits)
    {
        _handshakes = new TlsHandshakeGate(limits.MaxTlsHandshakes, limits.TlsHandshakeTimeout);
        var acceptors = new List<TlsAcceptor>(listeners.Count);
        foreach (var tls in listeners)
        {
            var credentials = new TlsCredentials(tls.CertificatePath, tls.KeyPath, tls.ClientCaPath);
            var clientCertificates = tls.ClientCertificates switch
            {
                ClientCertificateMode.Required => TlsClientCertificates.Required,
                ClientCertificateMode.Optional => TlsClientCertificates.Optional,
                _ => TlsClientCertificates.None,
            };
            acceptors.Add(new TlsAcceptor(credentials, clientCertificates, TransportSecurity.HstsValue(tls.HstsMaxAge), _handshakes, _metrics));
            Log.Info($"TLS {tls.Listen}: certificate {tls.CertificatePath} (SHA-256 {credentials.Fingerprint})"
                + (tls.ClientCaPath is null ? "" : $", client certificates {tls.ClientCertificates.ToString().ToLowerInvariant()} against {tls.ClientCaPath}"));
        }
        return acceptors;
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
        if (_handshakes is not null)
        {
            _handshakes.Max = next.Limits.MaxTlsHandshakes;
            _handshakes.Timeout = next.Limits.TlsHandshakeTimeout;
        }
        ReloadCertificates();
        _outputs?.Apply(next.Outputs);
        _live.Current = next;
        _processing.Swap(pipelines);
        Log.Info($"reloaded configuration: {next.Tenants.Count} tenants, {pipelines.Pipelines.Length} pipelines");
    }

    /// <summary>
    /// Re-reads every TLS listener's certificate, key and client CA. New handshakes use the new ones; open connections
    /// keep theirs. A file that cannot be used keeps the listener on its old certificate, and the log says why.
    /// </summary>
    public void ReloadCertificates()
    {
        foreach (var (_, acceptor, tls) in _tlsListeners)
        {
            if (acceptor.Credentials.Reload() is string problem)
                Log.Error($"reload: TLS {tls.Listen} keeps its current certificate (SHA-256 {acceptor.Credentials.Fingerprint}): {problem}");
            else
                Log.Info($"reload: TLS {tls.Listen} certificate re-read (SHA-256 {acceptor.Credentials.Fingerprint})");
        }
    }

    /// <summary>For the systemd watchdog: the segment writer thread is still running its loop.</summary>
    public bool IsHealthy => _storage?.Writer.IsAlive ?? false;

    /// <summary>A one-line summary for systemd's STATUS=.</summary>
    public string StatusLine(double eventsPerSecond) =>
        (_storage is { Writer.Health.Writable: false } ? "STORAGE NOT WRITABLE (see the log), " : "") + $"{_metrics.OpenConnections.Value} connections, {eventsPerSecond:0} events/s, ring {(_storage is null ? 0 : 100.0 * _storage.Ring.Fill / _storage.Ring.Capacity):0}% full, {_metrics.EventsAccepted.Value} events since start" + OutputLag();

    private string OutputLag()
    {
        if (_outputs?.WorstLag() is not { Name: { } name } worst) return "";
        return $", worst output lag {worst.Events} events / {worst.Seconds:0} s ({name})";
    }

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

    private void OnTlsAccepted(Socket socket, TlsAcceptor acceptor)
    {
        if (_shutdown.IsCancellationRequested || _connections.Count >= _context!.Limits.MaxConnections)
        {
            socket.Dispose();
            return;
        }
        _ = HandshakeThenRunAsync(socket, acceptor);
    }

    // The handshake runs off the accept loop; only a finished one becomes an HTTP connection.
    private async Task HandshakeThenRunAsync(Socket socket, TlsAcceptor acceptor)
    {
        await Task.Yield();
        var tls = await acceptor.HandshakeAsync(socket).ConfigureAwait(false);
        if (tls is null) return;
        if (_shutdown.IsCancellationRequested)
        {
            tls.Dispose();
            return;
        }
        var connection = new HttpConnection(tls, _context!);
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
        _history.Sample(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
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
        foreach (var (listener, _, _) in _tlsListeners) listener.Stop();
        var deadline = Stopwatch.GetTimestamp() + (long)(drainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_connections.IsEmpty && Stopwatch.GetTimestamp() < deadline)
        {
            foreach (var c in _connections.Keys) c.OnShutdown();
            await Task.WhenAny(Task.WhenAll(_connections.Values), Task.Delay(100)).ConfigureAwait(false);
        }
        if (!_connections.IsEmpty) Log.Warn($"{_connections.Count} connections still open after {drainTimeout.TotalSeconds:0}s; closing them");
        _heartbeat?.Dispose();
        _outputs?.Dispose();
        _queryWorkers.Dispose();
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
