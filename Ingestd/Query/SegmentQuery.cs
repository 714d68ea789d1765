using System.Diagnostics;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;
using Ingestd.Selection;
using Ingestd.Storage;

namespace Ingestd.Query;

/// <summary>
/// Runs one query over the segment files of a data directory: reads files only (never the writer or the ring), in
/// sequence order or newest first, skips the blocks <see cref="CandidateBlocks"/> turns down, filters records with the
/// shared <see cref="RecordFilter"/> and hands matches to a sink until the page is full or a cap is reached; then
/// says where the next page starts. One instance per query.
/// </summary>
internal sealed class SegmentQuery
{
    private readonly string _dataDir;
    private readonly QueryRequest _request;
    private readonly QueryLimits _limits;
    private readonly RecordFilter _filter;
    private readonly CandidateBlocks _candidates;
    private readonly FieldLocator _locator = new();
    private readonly Action<string> _warn;
    private readonly QueryPacer? _pacer;
    private readonly Stopwatch _clock = new();
    private int[] _starts = new int[256];

    // The pacer is asked every 32 records too, not only between blocks: matching a whole block's records (thousands)
    // takes longer than a pacer's turn. 32 records are a few µs of matching; a clock read each time is lost in that.
    private const int PaceMask = 31;

    // The scan's state between block callbacks.
    private IRecordSink _sink = null!;
    private int _limit;
    private long _segment;
    private long _bound;
    private int _count;
    private long _bytesScanned, _recordsScanned;
    private int _blocksRead;
    private QueryCursor? _next;
    private string? _truncated;

    /// <param name="pacer">Inside the daemon: lets ingest have the core between blocks and every few records (null: full speed).</param>
    public SegmentQuery(string dataDir, QueryRequest request, QueryLimits limits, Action<string> warn, QueryPacer? pacer = null)
    {
        _pacer = pacer;
        _dataDir = dataDir;
        _request = request;
        _limits = limits;
        _warn = warn;
        _filter = new RecordFilter(request.Criteria);
        _candidates = new CandidateBlocks(request.Criteria);
    }

    /// <summary>Pages through records (at most the request's limit) into <paramref name="sink"/>.</summary>
    public QueryOutcome Run(IRecordSink sink) => Scan(sink, _request.Limit);

    /// <summary>Every matching record, for aggregates: no page limit, only the time cap.</summary>
    public QueryOutcome RunAll(IRecordSink sink) => Scan(sink, int.MaxValue);

    private QueryOutcome Scan(IRecordSink sink, int limit)
    {
        _sink = sink;
        _limit = limit;
        _clock.Restart();
        // Listed once: the last one listed is the one the daemon may be writing (a newer one made meanwhile is not read).
        var segments = SegmentFormat.ListSegments(_dataDir);
        bool descending = _request.Descending;
        var cursor = _request.Cursor;
        using var reader = new SegmentReader(_warn);
        BlockGate gate = _candidates.MayHold;
        if (_pacer is { } pacer)
        {
            reader.Pause = pacer.Check;
            // Every block passes the gate, read or skipped: walking many headers is work too.
            gate = (string path, long offset, in BlockHeader header) =>
            {
                pacer.Check();
                return _candidates.MayHold(path, offset, header);
            };
        }

        if (!descending)
        {
            _bound = cursor?.Bound ?? long.MinValue;
            for (int i = 0; i < segments.Count && _next is null && _truncated is null; i++)
            {
                long first = FirstSequence(segments[i]);
                long start = SegmentFormat.FileHeaderSize;
                if (cursor is { } c)
                {
                    if (first < c.Segment) continue;
                    if (first == c.Segment) start = c.BlockOffset;
                }
                _segment = first;
                ScanFile(() => reader.ScanForward(segments[i], i == segments.Count - 1, start, gate, Ascending), segments[i]);
            }
        }
        else
        {
            _bound = cursor?.Bound ?? long.MaxValue;
            for (int i = segments.Count - 1; i >= 0 && _next is null && _truncated is null; i--)
            {
                long first = FirstSequence(segments[i]);
                long last = long.MaxValue;
                if (cursor is { } c)
                {
                    if (first > c.Segment) continue;
                    if (first == c.Segment) last = c.BlockOffset;
                }
                _segment = first;
                ScanFile(() => reader.ScanBackward(segments[i], i == segments.Count - 1, last, gate, Descending), segments[i]);
            }
        }
        return new QueryOutcome(_count, _next, _truncated, _bytesScanned, _recordsScanned);
    }

    private void ScanFile(Action scan, string path)
    {
        try
        {
            scan();
        }
        catch (FileNotFoundException)
        {
            _warn($"{path}: deleted while reading (retention); skipped");
        }
    }

    private static long FirstSequence(string path)
        => SegmentFormat.TryParseFileName(Path.GetFileName(path), out long first) ? first : 0;

    // Checked before each block but the first, so every page makes progress however small the cap.
    private bool OutOfTime() => _blocksRead > 0 && _clock.Elapsed > _limits.MaxTime;

    private bool Ascending(long offset, in BlockHeader header, ReadOnlySpan<byte> records)
    {
        if (OutOfTime())
        {
            _truncated = "max_time";
            _next = new QueryCursor(false, _segment, offset, Math.Max(_bound, header.FirstSequence), _request.Filters);
            return false;
        }
        _pacer?.Check();
        _bytesScanned += records.Length;
        _blocksRead++;
        long sequence = header.FirstSequence;
        while (RecordView.TryRead(records, header.Layout, out var view, out int length))
        {
            records = records[length..];
            if ((++_recordsScanned & PaceMask) == 0) _pacer?.Check();
            if (sequence >= _bound && _filter.Matches(view, _locator))
            {
                if (_count == _limit)
                {
                    _next = new QueryCursor(false, _segment, offset, sequence, _request.Filters);
                    return false;
                }
                _count++;
                if (!_sink.Add(sequence, view))
                {
                    _truncated = _sink.Cap;
                    _next = new QueryCursor(false, _segment, offset, sequence + 1, _request.Filters);
                    return false;
                }
            }
            sequence++;
        }
        return true;
    }

    private bool Descending(long offset, in BlockHeader header, ReadOnlySpan<byte> records)
    {
        if (OutOfTime())
        {
            _truncated = "max_time";
            _next = new QueryCursor(true, _segment, offset, Math.Min(_bound, header.NextSequence - 1), _request.Filters);
            return false;
        }
        _pacer?.Check();
        _bytesScanned += records.Length;
        _blocksRead++;
        // Records can only be walked forward: note where each starts, then take them last first.
        if (_starts.Length < header.Count) _starts = new int[Math.Max(header.Count, _starts.Length * 2)];
        int n = 0, at = 0;
        var rest = records;
        while (n < header.Count && RecordView.TryRead(rest, header.Layout, out _, out int length))
        {
            _starts[n++] = at;
            at += length;
            rest = rest[length..];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            long sequence = header.FirstSequence + i;
            if (sequence > _bound) continue;
            RecordView.TryRead(records[_starts[i]..], header.Layout, out var view, out _);
            if ((++_recordsScanned & PaceMask) == 0) _pacer?.Check();
            if (!_filter.Matches(view, _locator)) continue;
            if (_count == _limit)
            {
                _next = new QueryCursor(true, _segment, offset, sequence, _request.Filters);
                return false;
            }
            _count++;
            if (!_sink.Add(sequence, view))
            {
                _truncated = _sink.Cap;
                _next = new QueryCursor(true, _segment, offset, sequence - 1, _request.Filters);
                return false;
            }
        }
        return true;
    }
}
