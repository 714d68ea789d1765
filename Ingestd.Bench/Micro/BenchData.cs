using Ingestd.Bench.Workload;

namespace Ingestd.Bench.Micro;

/// <summary>The reference workload committed in the repository (<see cref="ReferenceWorkload"/>), as bytes.</summary>
internal static class BenchData
{
    /// <summary><c>{"events":[…500 events…]}</c>, 179,995 bytes.</summary>
    public static byte[] Drain500 => File.ReadAllBytes(ReferenceWorkload.FilePath(ReferenceWorkload.DrainFile));

    /// <summary>The same 500 events, one JSON object per line, 179,983 bytes.</summary>
    public static byte[] Ndjson500 => File.ReadAllBytes(ReferenceWorkload.FilePath(ReferenceWorkload.NdjsonFile));

    /// <summary>gzip of <see cref="Ndjson500"/>.</summary>
    public static byte[] Ndjson500Gzip => File.ReadAllBytes(ReferenceWorkload.FilePath(ReferenceWorkload.NdjsonGzipFile));

    /// <summary>Number of events in every reference body; per-event benchmarks divide by it.</summary>
    public const int Events = 500;
}
