using System.Collections.Concurrent;

namespace Ingestd.Endpoints.Insights;

/// <summary>
/// The threads queries scan on, away from the connections' thread pool. A scan is synchronous CPU work (decompress,
/// match) of up to <c>limits.query_max_time</c>: on a pool thread it holds back the continuations of every connection
/// that pool serves (a single thread when the daemon is pinned to one core), so ingest requests queue behind it. Here
/// the connection awaits the answer without a thread, and the scan's <see cref="Ingestd.Query.QueryPacer"/> hands the core back to
/// the ingest threads every 100 µs or sooner (the kernel alone lets a running scan finish its slice of about a
/// millisecond before a woken ingest thread runs, measured with <c>perf sched</c>). Workers keep the default
/// priority on purpose: nice 19 was tried, and on a busy machine one run stalled ingest for seconds (p99 2.4 s) while
/// its worker answered one query in 12 s; a worker starved in the middle of a scan is waited for by every garbage
/// collection's suspension, the likely cause (the benchmarks' README, "queries during ingest").
/// A bounded queue: past it a query is refused (429), not stacked.
/// </summary>
internal sealed class QueryWorkers : IDisposable
{
    /// <summary>Queries waiting for a worker before more are refused.</summary>
    public const int MaxWaiting = 64;

    private readonly BlockingCollection<Action> _queue = new(new ConcurrentQueue<Action>(), MaxWaiting);

    public QueryWorkers(int threads)
    {
        for (int i = 0; i < threads; i++)
        {
            var thread = new Thread(Work) { IsBackground = true, Name = $"ingestd-query-{i}" };
            thread.Start();
        }
    }

    /// <summary>Runs <paramref name="query"/> on a worker; the task completes when it has, thrown or not. False when the queue is full.</summary>
    public bool TryRun(Action query, out Task done)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done = completion.Task;
        try
        {
            return _queue.TryAdd(() =>
            {
                try
                {
                    query();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The caller renders its own errors; this only keeps a worker alive past a fault it missed.
                    Diagnostics.Log.Error($"query worker: unexpected {e.GetType().Name}: {e.Message}");
                }
                finally
                {
                    completion.SetResult();
                }
            });
        }
        catch (InvalidOperationException)
        {
            return false; // disposed: the daemon is stopping
        }
    }

    private void Work()
    {
        try
        {
            foreach (var query in _queue.GetConsumingEnumerable()) query();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _queue.CompleteAdding();
}
