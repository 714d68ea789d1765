using System.Diagnostics.Tracing;

namespace Ingestd.Diagnostics;

/// <summary>
/// Timings for finding tail-latency stalls (issue #14), as EventPipe events next to the runtime's own (GC,
/// thread pool, contention) in one trace: <c>dotnet-trace collect -p PID --providers Ingestd-Latency,...</c>.
/// Costs one flag check when no session listens.
/// </summary>
[EventSource(Name = "Ingestd-Latency")]
internal sealed class LatencyEvents : EventSource
{
    public static readonly LatencyEvents Log = new();

    /// <summary>One segment block compressed and written by the writer thread.</summary>
    [Event(1, Level = EventLevel.Informational)]
    public void BlockWritten(long recordBytes, long records, long microseconds)
    {
        if (IsEnabled()) WriteEvent(1, recordBytes, records, microseconds);
    }

    /// <summary>The parts of one block's append: zstd encoding, the write call, the writeback hint (sync_file_range).</summary>
    [Event(3, Level = EventLevel.Informational)]
    public void BlockParts(long encodeMicroseconds, long writeMicroseconds, long hintMicroseconds)
    {
        if (IsEnabled()) WriteEvent(3, encodeMicroseconds, writeMicroseconds, hintMicroseconds);
    }

    /// <summary>One request, from its complete head to its response handed to the socket.</summary>
    [Event(2, Level = EventLevel.Informational)]
    public void RequestServed(long microseconds, long bodyBytes)
    {
        if (IsEnabled()) WriteEvent(2, microseconds, bodyBytes);
    }
}
