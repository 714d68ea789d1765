using System.Collections.Concurrent;

namespace Ingestd.Diagnostics;

/// <summary>
/// One output's figures for <c>/metrics</c> and the status line, written by its delivery thread (and by retention for
/// <see cref="Dropped"/>), read by scrapes. Kept when an output is restarted by a reload so counters never go back.
/// </summary>
internal sealed class OutputStats
{
    public Metrics.Counter Delivered { get; } = new();
    public Metrics.Counter Retries { get; } = new();
    public Metrics.Counter Dropped { get; } = new();

    /// <summary><c>ingestd_output_errors_total{kind}</c>: transient, permanent (dead-lettered), read (damaged or missing stored data).</summary>
    public ConcurrentDictionary<string, Metrics.Counter> Errors { get; } = new();

    private long _lagEvents;
    private long _lagSince;

    /// <summary>Records stored but not yet behind the cursor.</summary>
    public long LagEvents => Volatile.Read(ref _lagEvents);

    /// <summary>
    /// Seconds since the oldest undelivered record was received (0 when caught up): an estimate from what the
    /// reader has seen, exact while a batch is pending.
    /// </summary>
    public double LagSeconds(long nowNs)
    {
        long since = Volatile.Read(ref _lagSince);
        return since == 0 || LagEvents == 0 ? 0 : Math.Max(0, (nowNs - since) / 1e9);
    }

    public void SetLag(long events, long oldestReceivedNs)
    {
        Volatile.Write(ref _lagEvents, events);
        Volatile.Write(ref _lagSince, events == 0 ? 0 : oldestReceivedNs);
    }

    /// <summary>The last delivery error, for <c>ingestd outputs</c> and the log; null after a success.</summary>
    public string? LastError { get; set; }

    public void CountError(string kind) => Errors.GetOrAdd(kind, static _ => new Metrics.Counter()).Increment();
}
