using System.Runtime.InteropServices;

namespace Ingestd.Bench.Load;

/// <summary>What one connection counted: over the whole window, or over one slice of it.</summary>
internal sealed class LoadTally
{
    public LatencyHistogram Latency { get; } = new();
    public long Requests { get; private set; }
    public long Ok2xx { get; private set; }
    public long Errors { get; set; }
    public Dictionary<int, long> NonSuccessByStatus { get; } = [];

    public void Count(int status, long latencyTicks)
    {
        Requests++;
        if (status is >= 200 and < 300) Ok2xx++;
        else CollectionsMarshal.GetValueRefOrAddDefault(NonSuccessByStatus, status, out _)++;
        Latency.Record((long)LoadWindow.TicksToNs(latencyTicks));
    }
}
