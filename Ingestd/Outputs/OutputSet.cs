using Ingestd.Config;
using Ingestd.Diagnostics;

namespace Ingestd.Outputs;

/// <summary>
/// The running outputs of a daemon: starts the enabled ones, restarts changed ones on reload (from their cursors),
/// and answers retention's question "which sequence does the slowest output still need?".
/// </summary>
internal sealed class OutputSet : IDisposable
{
    private readonly string _dataDir;
    private readonly string _nodeId;
    private readonly Func<long> _logEnd;
    private readonly Metrics _metrics;
    private readonly Func<OutputConfig, IDestination> _createDestination;
    private readonly object _gate = new();
    private volatile OutputRunner[] _running = [];

    public OutputSet(string dataDir, string nodeId, Func<long> logEnd, Metrics metrics, Func<OutputConfig, IDestination> createDestination)
    {
        _createDestination = createDestination;
        _dataDir = dataDir;
        _nodeId = nodeId;
        _logEnd = logEnd;
        _metrics = metrics;
    }

    /// <summary>Starts, stops and restarts outputs so that exactly the enabled ones of <paramref name="outputs"/> run.</summary>
    public void Apply(IReadOnlyList<OutputConfig> outputs)
    {
        lock (_gate)
        {
            var keep = new List<OutputRunner>();
            foreach (var runner in _running)
            {
                if (outputs.Any(o => o.Enabled && o.Equals(runner.Config)))
                {
                    keep.Add(runner);
                    continue;
                }
                runner.Dispose();
                Log.Info($"output {runner.Config.Name}: stopped at sequence {runner.Cursor}");
            }
            foreach (var config in outputs)
            {
                if (!config.Enabled || keep.Any(r => r.Config.Name == config.Name)) continue;
                var stats = _metrics.Outputs.GetOrAdd(config.Name, static _ => new OutputStats());
                OutputRunner runner;
                try
                {
                    runner = new OutputRunner(config, _dataDir, _nodeId, _logEnd, stats, _createDestination(config));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One output that cannot start must not take ingest (or the other outputs) down.
                    stats.LastError = "cannot start: " + e.Message;
                    Log.Error($"output {config.Name}: cannot start, not delivering: {e}");
                    continue;
                }
                keep.Add(runner);
                runner.Start();
                Log.Info($"output {config.Name}: {config.Type} delivering from sequence {runner.Cursor}");
            }
            _running = keep.ToArray();
        }
    }

    /// <summary>The lowest cursor of the running outputs; <see cref="long.MaxValue"/> when none runs.</summary>
    public long ProtectedFrom()
    {
        long min = long.MaxValue;
        foreach (var runner in _running) min = Math.Min(min, runner.Cursor);
        return min;
    }

    /// <summary>
    /// Retention is about to delete sequences [first, end) some outputs have not delivered (only <c>retention_max_bytes</c>
    /// forces that): count each output's loss and say so loudly.
    /// </summary>
    public void OnDeletingUndelivered(string path, long first, long end)
    {
        foreach (var runner in _running)
        {
            long from = Math.Max(first, runner.Cursor);
            if (from >= end) continue;
            runner.Stats.Dropped.Add(end - from);
            Log.Error($"output {runner.Config.Name}: retention_max_bytes forces deleting {path}; sequences {from}..{end - 1} were never delivered and are lost to this output");
        }
    }

    /// <summary>The largest lag of the running outputs, for the status line.</summary>
    public (string? Name, long Events, double Seconds) WorstLag()
    {
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        (string? Name, long Events, double Seconds) worst = (null, 0, 0);
        foreach (var runner in _running)
        {
            long lag = runner.Stats.LagEvents;
            if (worst.Name is null || lag > worst.Events) worst = (runner.Config.Name, lag, runner.Stats.LagSeconds(now));
        }
        return worst;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var runner in _running) runner.Dispose();
            _running = [];
        }
    }
}
