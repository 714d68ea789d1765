using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ingestd.Bench.Faults;

/// <summary>
/// The state of one scenario while it runs: its disk, the daemon (restarted on the same port, so the load keeps
/// going across a crash), the loads and what they got acknowledged, the read-backs, the flipped places, and a
/// timeline of what was done when (seconds on the scenario's clock).
/// </summary>
internal sealed class ScenarioRun : IDisposable
{
    private readonly IngestdBinary _ingestd;
    private readonly string _configPath;
    private readonly string _logPath;
    private readonly string _pidFile;
    private readonly List<FaultDaemon> _daemons = [];
    private readonly List<AckLoad> _loads = [];
    private AckLoad? _load;

    public ScenarioRun(FaultScenario scenario, IngestdBinary ingestd, ScratchDisk disk, string logDir, string pidFile)
    {
        Scenario = scenario;
        _ingestd = ingestd;
        Disk = disk;
        _pidFile = pidFile;
        _logPath = Path.Combine(logDir, scenario.Name + ".log");
        _configPath = Path.Combine(logDir, scenario.Name + ".conf");
        Port = FreePort();
        File.WriteAllText(_configPath,
            $"""
            [server]
            listen = ["127.0.0.1:{Port}"]
            data_dir = "{disk.DataDir}"

            [storage]
            {scenario.Storage}
            """);
    }

    public FaultScenario Scenario { get; }
    public ScratchDisk Disk { get; }
    public int Port { get; }
    public Stopwatch Clock { get; } = Stopwatch.StartNew();
    public IngestdBinary Ingestd => _ingestd;
    public string LogPath => _logPath;

    /// <summary>The running daemon, null while it is down.</summary>
    public FaultDaemon? Daemon { get; private set; }

    public List<string> Timeline { get; } = [];
    public List<string> Notes { get; } = [];
    public List<StoreSnapshot> Snapshots { get; } = [];

    /// <summary>Corrupted places, as verify names them: segment file name and the offset of the block (0: the file header).</summary>
    public List<(string File, long Offset)> Flipped { get; } = [];

    /// <summary>Ids whose block was corrupted on purpose: missing, they are expected loss, not lost.</summary>
    public HashSet<string> ExpectedLoss { get; } = new(StringComparer.Ordinal);

    /// <summary>verify's report right after the bit flips, before any restart.</summary>
    public VerifyReport? FlipVerify { get; set; }

    public VerifyReport? FinalVerify { get; set; }

    public void Mark(string what) => Timeline.Add($"t={Clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} {what}");

    /// <summary>Starts the daemon; throws <see cref="ScenarioIncompleteException"/> when it does not come up.</summary>
    public void StartDaemon(string why)
    {
        if (Daemon is not null) throw new InvalidOperationException("daemon already running");
        var (daemon, problem) = FaultDaemon.Start(_ingestd, _configPath, Port, _logPath, _pidFile);
        if (daemon is null) throw new ScenarioIncompleteException($"{why}: {problem}");
        _daemons.Add(daemon);
        Daemon = daemon;
        _segmentWatch ??= new Timer(_ => PollSegments(), null, 0, 20);
        Mark(why);
    }

    /// <summary>SIGTERM, and notes a non-zero exit or a daemon that had to be killed or had died already.</summary>
    public void StopDaemon()
    {
        if (Daemon is null) return;
        bool diedEarlier = Daemon.HasExited;
        int? exit = Daemon.Terminate();
        if (diedEarlier) Notes.Add($"the daemon had exited by itself (code {exit}) before it was stopped: {Daemon.LastLines(2)}");
        else if (exit is null) Notes.Add("the daemon did not exit within 20 s of SIGTERM; killed");
        else if (exit != 0) Notes.Add($"the daemon exited {exit} after SIGTERM: {Daemon.LastLines(2)}");
        Daemon = null;
        Mark("SIGTERM");
    }

    public void KillDaemon()
    {
        Daemon?.Kill();
        Daemon = null;
        Mark("kill -9");
    }

    /// <summary>Starts a new load phase (its ids carry the phase number).</summary>
    public void StartLoad()
    {
        if (_load is not null) throw new InvalidOperationException("load already running");
        _load = new AckLoad(Port, "p" + _loads.Count.ToString(CultureInfo.InvariantCulture), Clock);
        _loads.Add(_load);
        _load.Start();
        Mark("load on");
    }

    public async Task StopLoadAsync()
    {
        if (_load is null) return;
        await _load.StopAsync().ConfigureAwait(false);
        _load = null;
        Mark("load off");
    }

    /// <summary>The running load (to pause it or send single requests); throws when none runs.</summary>
    public AckLoad Load => _load ?? throw new InvalidOperationException("no load running");

    public static Task Wait(double seconds) => Task.Delay(TimeSpan.FromSeconds(seconds));

    public void Snapshot(string label)
    {
        Snapshots.Add(StoreSnapshot.Take(_ingestd, Disk.DataDir, label));
        Mark($"read back ({label})");
    }

    /// <summary>Acknowledged requests of every phase: key and when the 2xx came.</summary>
    public Dictionary<string, double> AcknowledgedRequests()
    {
        var all = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var load in _loads)
            foreach (var (key, at) in load.Acknowledged) all[key] = at;
        return all;
    }

    public int EventsPerRequest => _loads.Count > 0 ? _loads[0].EventsPerRequest : 0;

    /// <summary>Answers of every phase from <paramref name="from"/> to <paramref name="to"/> seconds, by status code or failure kind.</summary>
    public SortedDictionary<string, int> Outcomes(double from = 0, double to = double.MaxValue)
    {
        var all = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var load in _loads)
            foreach (var (at, outcome) in load.Outcomes)
                if (at >= from && at < to) all[outcome] = all.GetValueOrDefault(outcome) + 1;
        return all;
    }

    /// <summary>When the last fault was undone (disk freed, read-write again); null for faults without an undo.</summary>
    public double? FaultUndoneAt { get; set; }

    /// <summary>When the load of the fault phase stopped.</summary>
    public double? FaultLoadStoppedAt { get; set; }

    /// <summary>How many daemon log lines, over every start, contain <paramref name="text"/>.</summary>
    public int DaemonLogCount(string text) => _daemons.Sum(d => d.Count(text));

    public IEnumerable<string> DaemonLogLines(string text)
        => _daemons.SelectMany(d => d.Lines).Where(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>
    /// Segment files seen in the data directory so far, each with the largest size seen: polled every 20 ms
    /// from the first daemon start, so it also knows files retention deleted (the daemon's own accounting is
    /// what is being judged, so its log is not trusted for this).
    /// </summary>
    public long SegmentBytesEverSeen()
    {
        PollSegments();
        lock (_segmentSizes) return _segmentSizes.Values.Sum();
    }

    private readonly Dictionary<string, long> _segmentSizes = new(StringComparer.Ordinal);
    private Timer? _segmentWatch;

    private void PollSegments()
    {
        string[] files;
        try { files = Directory.GetFiles(Disk.DataDir, "*.seg"); }
        catch (IOException) { return; }
        foreach (var file in files)
        {
            long length;
            try { length = new FileInfo(file).Length; }
            catch (IOException) { continue; }
            lock (_segmentSizes)
            {
                string name = Path.GetFileName(file);
                if (length > _segmentSizes.GetValueOrDefault(name)) _segmentSizes[name] = length;
            }
        }
    }

    private static int FreePort()
    {
        // Bound and released at once; the daemon binds it with SO_REUSEADDR, and keeps it across restarts.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        _segmentWatch?.Dispose();
        foreach (var d in _daemons) d.Dispose();
        Daemon = null;
    }
}
