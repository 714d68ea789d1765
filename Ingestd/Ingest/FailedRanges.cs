using Ingestd.Storage;

namespace Ingestd.Ingest;

/// <summary>
/// The ring positions whose records the writer could not store, so that each request learns exactly whether one of
/// its own entries failed, however late it asks. Written by the writer thread only, read by any thread.
/// </summary>
/// <remarks>
/// A range (From, To] holds the entries whose end positions lie in it. A request whose entries end at
/// <c>firstEnd</c> .. <c>end</c> failed if a range meets [firstEnd, end]. Failures are rare, so the list is an
/// immutable array replaced on each change (readers take no lock); only the newest <see cref="Capacity"/> ranges are
/// kept, and a request older than the forgotten ones is answered as failed: a false 5xx costs a retry, a false 2xx an event.
/// </remarks>
internal sealed class FailedRanges
{
    public const int Capacity = 64;

    private Snapshot _snapshot = new([], long.MinValue);

    /// <summary>Writer only: entries ending in (<paramref name="from"/>, <paramref name="to"/>] were not stored.</summary>
    public void Add(long from, long to, StorageErrorKind kind)
    {
        if (to <= from) return;
        var old = _snapshot;
        var ranges = old.Ranges;
        int n = ranges.Length;
        Range[] next;
        if (n > 0 && ranges[n - 1].To >= from && ranges[n - 1].Kind == kind)
        {
            // A run of failures while the disk stays full: one range.
            next = (Range[])ranges.Clone();
            next[n - 1] = ranges[n - 1] with { To = Math.Max(to, ranges[n - 1].To) };
            Volatile.Write(ref _snapshot, new Snapshot(next, old.ForgottenUpTo));
            return;
        }
        int drop = n + 1 > Capacity ? n + 1 - Capacity : 0;
        next = new Range[n - drop + 1];
        Array.Copy(ranges, drop, next, 0, n - drop);
        next[^1] = new Range(from, to, kind);
        long forgotten = drop > 0 ? ranges[drop - 1].To : old.ForgottenUpTo;
        Volatile.Write(ref _snapshot, new Snapshot(next, forgotten));
    }

    /// <summary>Any thread: <see cref="StoreResult.Durable"/> unless one of the request's entries failed.</summary>
    public StoreResult Check(long firstEnd, long end)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (firstEnd <= snapshot.ForgottenUpTo) return StoreResult.Failed;
        var ranges = snapshot.Ranges;
        for (int i = ranges.Length - 1; i >= 0; i--)
        {
            var r = ranges[i];
            if (r.To < firstEnd) break; // ranges are in position order: every earlier one ends before the request
            if (r.From < end) return r.Kind == StorageErrorKind.DiskFull ? StoreResult.DiskFull : StoreResult.Failed;
        }
        return StoreResult.Durable;
    }

    private readonly record struct Range(long From, long To, StorageErrorKind Kind);

    private sealed record Snapshot(Range[] Ranges, long ForgottenUpTo);
}
