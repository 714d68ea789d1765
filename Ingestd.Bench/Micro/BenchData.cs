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

    public static byte[] Drain500 => File.ReadAllBytes(Path.Combine(SharedBench, "drain-500.json"));
}
