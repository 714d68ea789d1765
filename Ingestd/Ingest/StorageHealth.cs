using Ingestd.Storage;

namespace Ingestd.Ingest;

/// <summary>
/// Whether the segment files can be written now, for the log, the metrics and systemd's status line. One error
/// line per episode (not one per refused block), and one line when writes succeed again.
/// </summary>
internal sealed class StorageHealth
{
    private readonly Action<string> _error;
    private readonly Action<string> _info;
    private readonly long[] _errors = new long[4];
    private volatile bool _writable = true;
    private long _episodeStart;
    private long _refusedInEpisode;

    public StorageHealth(Action<string> error, Action<string> info)
    {
        _error = error;
        _info = info;
    }

    public bool Writable => _writable;

    /// <summary>Failures counted since start, by kind (<c>ingestd_storage_errors_total{kind}</c>).</summary>
    public long Errors(StorageErrorKind kind) => Volatile.Read(ref _errors[(int)kind]);

    /// <summary>Writer thread: a block write, segment creation or fsync failed.</summary>
    public void Failed(StorageErrorKind kind, string what)
    {
        Interlocked.Increment(ref _errors[(int)kind]);
        _refusedInEpisode++;
        if (!_writable) return;
        _writable = false;
        _episodeStart = Environment.TickCount64;
        _error($"storage not writable ({StorageErrors.Label(kind)}): {what}; requests get "
               + (kind == StorageErrorKind.DiskFull ? "507" : "503") + " until a write succeeds (tried again with every block)");
    }

    /// <summary>Writer thread: a block was written (and, under fsync durability, synced).</summary>
    public void Succeeded()
    {
        if (_writable) return;
        _writable = true;
        _info($"storage writable again after {(Environment.TickCount64 - _episodeStart) / 1000.0:0.0} s; {_refusedInEpisode} failed writes meanwhile");
        _refusedInEpisode = 0;
    }
}
