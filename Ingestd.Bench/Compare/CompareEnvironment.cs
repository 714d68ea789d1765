namespace Ingestd.Bench.Compare;

/// <summary>Where things are: the repository, the reference workload, the daemon binary.</summary>
internal sealed record CompareEnvironment
{
    public required string RepoRoot { get; init; }
    public required string WorkloadDir { get; init; }
    public required IReadOnlyList<string> IngestdCommand { get; init; }
    public required string IngestdDescription { get; init; }
    public bool PinServers { get; init; } = true;

    public static CompareEnvironment Locate(string? repo, string? workload, bool pin)
    {
        string root = repo is not null ? Path.GetFullPath(repo) : FindRepoRoot();
        string bench = workload is not null
            ? Path.GetFullPath(workload)
            : new[] { Path.Combine(root, "..", "shared", "bench"), Path.Combine(root, "..", "..", "shared", "bench") }
                .Select(Path.GetFullPath)
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "drain-500.json")))
              ?? throw new FileNotFoundException("reference workload not found (../shared/bench/drain-500.json); pass --workload DIR");

        // Prefer the published binary (what ships: `make publish`); else the Release build.
        string dist = Path.Combine(root, "dist", "ingestd");
        string release = Path.Combine(root, "Ingestd", "bin", "Release", "net10.0", "ingestd");
        IReadOnlyList<string> command;
        string description;
        if (File.Exists(dist)) (command, description) = ([dist], "dist/ingestd, built by make publish: self-contained, trimmed, ReadyToRun, tiered PGO");
        else if (File.Exists(release)) (command, description) = ([release], "Ingestd/bin/Release/net10.0/ingestd (JIT)");
        else throw new FileNotFoundException("no ingestd binary: run `make build` (or `make publish`) first");
        return new CompareEnvironment
        {
            RepoRoot = root,
            WorkloadDir = bench,
            IngestdCommand = command,
            IngestdDescription = description,
            PinServers = pin,
        };
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Ingestd.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("cannot find the repository (Ingestd.slnx); pass --repo DIR");
    }
}
