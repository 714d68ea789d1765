using Ingestd.Bench.Workload;

namespace Ingestd.Bench.Compare;

/// <summary>Where things are: the repository, the reference workload, the daemon binary.</summary>
internal sealed record CompareEnvironment
{
    public required string RepoRoot { get; init; }
    public required string WorkloadDir { get; init; }
    public required IReadOnlyList<string> IngestdCommand { get; init; }
    public required string IngestdDescription { get; init; }
    public bool PinServers { get; init; } = true;

    /// <summary>The ingestd run as <c>ingestd-baseline</c> (<c>--baseline</c>: a binary, or a .dll run with dotnet); null: none.</summary>
    public IReadOnlyList<string>? BaselineCommand { get; init; }

    public static CompareEnvironment Locate(string? repo, string? workload, bool pin, string? baseline = null)
    {
        string root = repo is not null ? Path.GetFullPath(repo) : FindRepoRoot();
        // The repository's committed workload unless --workload overrides it (e.g. a bigger or older set of the same shape).
        string bench = Path.GetFullPath(workload ?? Path.Combine(root, ReferenceWorkload.RelativeDirectory));
        if (!File.Exists(Path.Combine(bench, ReferenceWorkload.DrainFile)))
            throw new FileNotFoundException($"reference workload not found ({Path.Combine(bench, ReferenceWorkload.DrainFile)}); pass --workload DIR");

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
            BaselineCommand = baseline is null ? null : Command(Path.GetFullPath(baseline)),
        };
    }

    private static IReadOnlyList<string> Command(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"baseline ingestd not found: {path}");
        return path.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", path] : [path];
    }

    private static string FindRepoRoot() =>
        ReferenceWorkload.FindRepositoryRoot(Environment.CurrentDirectory)
        ?? ReferenceWorkload.FindRepositoryRoot(AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException("cannot find the repository (Ingestd.slnx); pass --repo DIR");
}
