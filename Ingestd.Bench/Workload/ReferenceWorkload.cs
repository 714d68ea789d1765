
namespace Ingestd.Bench.Workload;

/// <summary>
/// Where the committed reference workload lives: <c>Ingestd.Bench/workload-data/</c> in the
/// repository, found by walking up from the binary to the directory holding <c>Ingestd.slnx</c>.
/// The one place the bench and the tests learn it from, so that a clone needs nothing beside it.
/// </summary>
internal static class ReferenceWorkload
{
    /// <summary>The data directory relative to the repository root. Not <c>Workload/</c> with another case: that is the generator's code, and the two would be one folder on case-insensitive file systems.</summary>
    public static readonly string RelativeDirectory = Path.Combine("Ingestd.Bench", "workload-data");

    /// <summary>One <c>POST /v1/drain</c> body: <c>{"events":[…500 events…]}</c>.</summary>
    public const string DrainFile = "drain-500.json";

    /// <summary>The same events, one JSON object per line.</summary>
    public const string NdjsonFile = "ndjson-500.ndjson";

    /// <summary>gzip of <see cref="NdjsonFile"/>.</summary>
    public const string NdjsonGzipFile = "ndjson-500.ndjson.gz";

    /// <summary>The drain body's events with each message as JSON text holding a user's e-mail address (issue #12's pipeline).</summary>
    public const string DrainJsonMessagesFile = "drain-500-jsonmsg.json";

    private static readonly Lazy<string> Located = new(() =>
        Path.Combine(FindRepositoryRoot(AppContext.BaseDirectory)
            ?? throw new DirectoryNotFoundException("cannot find the repository (Ingestd.slnx) above " + AppContext.BaseDirectory),
            RelativeDirectory));

    /// <summary>Absolute path of the workload directory of the repository this binary was built in.</summary>
    public static string DirectoryPath => Located.Value;

    public static string FilePath(string name) => Path.Combine(DirectoryPath, name);

    /// <summary>The nearest directory at or above <paramref name="start"/> that holds <c>Ingestd.slnx</c>; null if none.</summary>
    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ingestd.slnx"))) return dir.FullName;
        return null;
    }
}
