namespace Ingestd.Bench.Micro;

/// <summary>The reference workload from ../shared/bench, found by walking up from the binary.</summary>
internal static class BenchData
{
    public static string SharedBench
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "bench");
                if (File.Exists(Path.Combine(candidate, "drain-500.json"))) return candidate;
                candidate = Path.Combine(dir.FullName, "..", "shared", "bench");
                if (File.Exists(Path.Combine(candidate, "drain-500.json"))) return Path.GetFullPath(candidate);
                dir = dir.Parent;
            }
            throw new FileNotFoundException("../shared/bench/drain-500.json not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary><c>{"events":[…500 events…]}</c>, 183,105 bytes.</summary>
    public static byte[] Drain500 => File.ReadAllBytes(Path.Combine(SharedBench, "drain-500.json"));

    /// <summary>The same 500 events, one JSON object per line, 183,093 bytes.</summary>
    public static byte[] Ndjson500 => File.ReadAllBytes(Path.Combine(SharedBench, "ndjson-500.ndjson"));

    /// <summary>Number of events in every reference body; per-event benchmarks divide by it.</summary>
    public const int Events = 500;
}
