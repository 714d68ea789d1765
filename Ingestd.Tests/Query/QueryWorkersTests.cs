using Ingestd.Endpoints.Insights;

namespace Ingestd.Tests.Query;

/// <summary>The threads queries scan on, off the connections' pool.</summary>
public class QueryWorkersTests
{
    [Fact]
    public async Task A_query_runs_on_a_worker_thread_and_its_task_completes_after_it()
    {
        using var workers = new QueryWorkers(1);
        string? thread = null;
        Assert.True(workers.TryRun(() => thread = Thread.CurrentThread.Name, out var done));
        await done.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ingestd-query-0", thread);
    }

    [Fact]
    public async Task A_query_that_throws_still_completes_its_task()
    {
        using var workers = new QueryWorkers(1);
        Assert.True(workers.TryRun(() => throw new InvalidOperationException("scan failed"), out var failed));
        await failed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(workers.TryRun(() => { }, out var next));
        await next.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Past_the_waiting_cap_a_query_is_refused_not_queued()
    {
        using var workers = new QueryWorkers(0); // no thread takes them: the queue only fills
        for (int i = 0; i < QueryWorkers.MaxWaiting; i++) Assert.True(workers.TryRun(() => { }, out _));
        Assert.False(workers.TryRun(() => { }, out _));
    }
}
