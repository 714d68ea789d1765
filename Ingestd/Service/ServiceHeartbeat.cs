using Ingestd.Server;

namespace Ingestd.Service;

/// <summary>
/// Keeps systemd informed while running: a STATUS= line every few seconds with the ingest rate,
/// and WATCHDOG=1 at half the WatchdogSec interval — sent only while the segment writer is
/// alive, so a wedged writer lets systemd restart the service.
/// </summary>
internal sealed class ServiceHeartbeat : IDisposable
{
    private static readonly TimeSpan StatusEvery = TimeSpan.FromSeconds(5);
    private readonly IngestServer _server;
    private readonly SystemdNotifier _notifier;
    private readonly Timer? _status;
    private readonly Timer? _watchdog;
    private long _lastEvents;
    private long _lastTicks = Environment.TickCount64;

    public ServiceHeartbeat(IngestServer server, SystemdNotifier notifier)
    {
        _server = server;
        _notifier = notifier;
        if (!notifier.Enabled) return;
        _status = new Timer(_ => SendStatus(), null, StatusEvery, StatusEvery);
        if (SystemdNotifier.WatchdogInterval() is { } interval)
        {
            var half = interval / 2;
            _watchdog = new Timer(_ => { if (_server.IsHealthy) _notifier.Watchdog(); }, null, TimeSpan.Zero, half);
        }
    }

    private void SendStatus()
    {
        long events = _server.Metrics.EventsAccepted.Value;
        long now = Environment.TickCount64;
        double seconds = Math.Max(0.001, (now - _lastTicks) / 1000.0);
        double rate = (events - _lastEvents) / seconds;
        _lastEvents = events;
        _lastTicks = now;
        _notifier.Status(_server.StatusLine(rate));
    }

    public void Dispose()
    {
        _status?.Dispose();
        _watchdog?.Dispose();
    }
}
