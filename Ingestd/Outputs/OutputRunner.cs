using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Parsing.Records;
using Ingestd.Selection;
using Ingestd.Storage;

namespace Ingestd.Outputs;

/// <summary>
/// Delivers one output on its own thread: tails the segment log from the cursor (as <c>ingestd read --follow</c>
/// does, damaged blocks skipped and counted), keeps the records that match, batches them, sends each batch and only
/// then moves the cursor on. Transient failures are retried with capped exponential backoff and jitter, forever;
/// a permanent refusal is narrowed down by halving the batch, and the single events still refused go to the
/// dead-letter file with the reason. Ingest never waits for this thread.
/// </summary>
internal sealed class OutputRunner : IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly OutputConfig _config;
    private readonly string _dataDir;
    private readonly string _cursorPath;
    private readonly string _deadLetterPath;
    private readonly Func<long> _logEnd;
    private readonly IDestination _destination;
    private readonly RecordFilter _matcher;
    private readonly OutputBatch _batch;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly long _maxWaitTicks;

    /// <summary>Next sequence to deliver, as persisted.</summary>
    private long _cursor;

    /// <summary>Next sequence after the last record the reader handed over (delivered, batched or filtered out).</summary>
    private long _seenThrough;

    private long _lastSeenReceivedNs;
    private long _lastCursorSaveTicks;

    public OutputRunner(OutputConfig config, string dataDir, string nodeId, Func<long> logEnd, OutputStats stats, IDestination destination)
    {
        _config = config;
        _dataDir = dataDir;
        string outputsDir = OutputStatusFiles.Directory(dataDir);
        _cursorPath = OutputCursor.PathFor(outputsDir, config.Name);
        _deadLetterPath = OutputStatusFiles.DeadLetterPath(outputsDir, config.Name);
        _logEnd = logEnd;
        Stats = stats;
        _destination = destination;
        _matcher = new RecordFilter(config.Match);
        _batch = new OutputBatch(nodeId);
        _maxWaitTicks = (long)(config.MaxWait.TotalSeconds * Stopwatch.Frequency);
        _cursor = LoadOrStartCursor();
        _seenThrough = _cursor;
        _thread = new Thread(Run) { IsBackground = true, Name = "output " + config.Name };
    }

    public OutputConfig Config => _config;
    public OutputStats Stats { get; }

    /// <summary>The next sequence this output still has to deliver: retention's protection bound.</summary>
    public long Cursor => Volatile.Read(ref _cursor);

    public void Start() => _thread.Start();

    /// <summary>Stops the thread; an unsent batch stays behind the cursor and is delivered again after a start.</summary>
    public void Stop()
    {
        _stop.Cancel();
        if (_thread.IsAlive && !_thread.Join(TimeSpan.FromSeconds(30)))
            Log.Warn($"output {_config.Name}: delivery thread did not stop within 30 s");
    }

    private long LoadOrStartCursor()
    {
        long? stored = OutputCursor.Load(_cursorPath, out string? problem);
        if (stored is long next) return next;
        long start = _config.Start == OutputStart.Latest ? _logEnd() : 0;
        Log.Warn(problem is null
            ? $"output {_config.Name}: no cursor yet; starting at the {_config.Start.ToString().ToLowerInvariant()} record (sequence {start})"
            : $"output {_config.Name}: cursor unusable ({problem}); starting at the {_config.Start.ToString().ToLowerInvariant()} record (sequence {start}) as configured");
        OutputCursor.Save(_cursorPath, start);
        return start;
    }

    private void Run()
    {
        var ct = _stop.Token;
        using var reader = new SegmentReader(OnReadWarning)
        {
            // max_wait is honoured when the reader is caught up, at this granularity.
            PollInterval = TimeSpan.FromMilliseconds(Math.Clamp(_config.MaxWait.TotalMilliseconds, 10, 200)),
        };
        try
        {
            reader.Follow(_dataDir, OnRecord, ct, startFile: StartFile(), idle: OnIdle);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Never take the daemon down: the cursor is safe, a restart resumes from it.
            SetLastError("delivery stopped: " + e.Message);
            Log.Error($"output {_config.Name}: delivery stopped after an unexpected error (a restart resumes at sequence {Cursor}): {e}");
        }
    }

    /// <summary>The segment holding the cursor: the newest whose first sequence is not past it (else the oldest).</summary>
    private string? StartFile()
    {
        string? best = null;
        foreach (var path in SegmentFormat.ListSegments(_dataDir))
        {
            if (SegmentFormat.TryParseFileName(Path.GetFileName(path), out long first) && first <= _cursor) best = path;
        }
        return best;
    }

    private void OnRecord(long sequence, in RecordView view)
    {
        if (sequence < _cursor) return; // delivered before (the segment's start, or a replay)
        if (_batch.Count == 0 && sequence > _seenThrough)
        {
            // Sequences the reader never handed over: unused numbers, or deleted by retention (reported by the reader).
            _seenThrough = sequence;
        }
        _seenThrough = sequence + 1;
        _lastSeenReceivedNs = view.ReceivedNs;
        if (_matcher.Matches(view))
        {
            _batch.Add(sequence, view);
            if (_batch.Count >= _config.MaxEvents || _batch.ByteCount >= _config.MaxBytes) Flush();
            else if (Stopwatch.GetTimestamp() - _batch.FirstAddedTicks >= _maxWaitTicks) Flush();
        }
        else if (_batch.Count == 0 && Stopwatch.GetTimestamp() - _lastCursorSaveTicks > Stopwatch.Frequency)
        {
            // A long run of records this output does not want: keep the cursor near, at most once a second.
            SaveCursor(_seenThrough);
        }
    }

    private void OnIdle()
    {
        if (_batch.Count > 0)
        {
            if (Stopwatch.GetTimestamp() - _batch.FirstAddedTicks >= _maxWaitTicks) Flush();
        }
        else if (_seenThrough > _cursor)
        {
            SaveCursor(_seenThrough);
        }
        UpdateLag();
    }

    private void UpdateLag()
    {
        long end = _logEnd();
        long lag = Math.Max(0, end - Cursor);
        Stats.SetLag(lag, _batch.Count > 0 ? _batch.FirstReceivedNs : _lastSeenReceivedNs);
    }

    private void Flush()
    {
        var all = new List<int>(_batch.Count);
        for (int i = 0; i < _batch.Count; i++) all.Add(i);
        Deliver(all);
        _batch.Clear();
        SaveCursor(_seenThrough);
        UpdateLag();
    }

    private void SaveCursor(long next)
    {
        OutputCursor.Save(_cursorPath, next);
        Volatile.Write(ref _cursor, next);
        _lastCursorSaveTicks = Stopwatch.GetTimestamp();
    }

    // A destination reports what the network and the far end do as results; an exception it lets escape anyway (a
    // client library's surprise) is retried like a transient failure rather than stopping this output for good.
    private DeliveryResult SendOnce(List<int> items, CancellationToken ct)
    {
        try
        {
            return _destination.Send(_batch, items, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Log.Error($"output {_config.Name}: the destination failed unexpectedly (retried): {e}");
            return DeliveryResult.Transient($"unexpected {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Delivers the given items of the batch: returns once each was acknowledged or dead-lettered.</summary>
    private void Deliver(List<int> items)
    {
        var ct = _stop.Token;
        for (int attempt = 0; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            var result = SendOnce(items, ct);
            switch (result.Status)
            {
                case DeliveryStatus.Acknowledged:
                    Delivered(items.Count);
                    return;
                case DeliveryStatus.Transient:
                    Retry(attempt, items.Count, result.Reason, ct);
                    continue;
                case DeliveryStatus.Permanent:
                    SetLastError(result.Reason);
                    if (items.Count > 1)
                    {
                        // Find the events the destination refuses: the others are delivered.
                        int half = items.Count / 2;
                        Deliver(items.GetRange(0, half));
                        Deliver(items.GetRange(half, items.Count - half));
                    }
                    else
                    {
                        Stats.CountError("permanent");
                        DeadLetter(items[0], result.Reason);
                    }
                    return;
                default:
                    // Per-item answers: the acknowledged ones are done, the refused ones dead-lettered, the rest retried.
                    var again = new List<int>();
                    string? retryReason = null;
                    for (int i = 0; i < items.Count; i++)
                    {
                        var item = result.Items![i];
                        if (item.Status == DeliveryStatus.Acknowledged) Delivered(1);
                        else if (item.Status == DeliveryStatus.Transient)
                        {
                            again.Add(items[i]);
                            retryReason ??= item.Reason;
                        }
                        else
                        {
                            Stats.CountError("permanent");
                            SetLastError(item.Reason);
                            DeadLetter(items[i], item.Reason);
                        }
                    }
                    if (again.Count == 0) return;
                    items = again;
                    Retry(attempt, items.Count, retryReason!, ct);
                    continue;
            }
        }
    }

    private void Delivered(int count)
    {
        Stats.Delivered.Add(count);
        if (Stats.LastError is not null)
        {
            Log.Info($"output {_config.Name}: delivering again after: {Stats.LastError}");
            SetLastError(null);
        }
    }

    private void Retry(int attempt, int count, string reason, CancellationToken ct)
    {
        Stats.Retries.Increment();
        Stats.CountError("transient");
        if (attempt == 0 || Stats.LastError != reason)
            Log.Warn($"output {_config.Name}: {count} events not delivered ({reason}); retrying with backoff");
        SetLastError(reason);
        UpdateLag();
        if (ct.WaitHandle.WaitOne(Backoff(attempt))) ct.ThrowIfCancellationRequested();
    }

    /// <summary>Exponential from 100 ms, capped at <c>retry_max_backoff</c>, with jitter in [50%, 100%] so outputs spread out.</summary>
    private TimeSpan Backoff(int attempt)
    {
        double ms = Math.Min(FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)), _config.RetryMaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    /// <summary>Appends <c>{"reason":..., "failed_at":..., "record":{...}}</c> to <c>outputs/&lt;name&gt;.dead.ndjson</c> and fsyncs it.</summary>
    private void DeadLetter(int index, string reason)
    {
        Log.Error($"output {_config.Name}: event {_batch.SequenceAt(index)} refused ({reason}); written to {_deadLetterPath}");
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("reason", reason);
            w.WriteString("failed_at", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WritePropertyName("record");
            w.WriteRawValue(_batch.Line(index), skipInputValidation: true);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        Directory.CreateDirectory(Path.GetDirectoryName(_deadLetterPath)!);
        using var file = new FileStream(_deadLetterPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        file.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Keeps the last error in memory and in <c>outputs/&lt;name&gt;.error</c> (for <c>ingestd outputs</c>, which runs
    /// beside the daemon); removed after the next success. Only written when the error changes.
    /// </summary>
    private void SetLastError(string? error)
    {
        if (error == Stats.LastError) return;
        Stats.LastError = error;
        string path = OutputStatusFiles.ErrorPath(Path.GetDirectoryName(_cursorPath)!, _config.Name);
        try
        {
            if (error is null) File.Delete(path);
            else
            {
                // Replaced whole (written aside, then renamed over): a reader never sees it created but not yet written.
                string temporary = path + ".tmp";
                File.WriteAllText(temporary, $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {error}\n");
                File.Move(temporary, path, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"output {_config.Name}: cannot write {path}: {e.Message}");
        }
    }

    private void OnReadWarning(string message)
    {
        Stats.CountError("read");
        Log.Warn($"output {_config.Name}: {message}");
    }

    public void Dispose()
    {
        Stop();
        _destination.Dispose();
        _batch.Dispose();
        _stop.Dispose();
    }
}
