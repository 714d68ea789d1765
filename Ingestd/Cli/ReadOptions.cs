namespace Ingestd.Cli;

/// <summary>
/// Arguments of <c>ingestd read</c>. <see cref="Paths"/> are segment files or directories (empty: <see cref="DataDir"/>).
/// Filters: event time in [Since, Until); tenant, stream and service match exactly; level, kind and dialect ignore ASCII case.
/// </summary>
internal sealed record ReadOptions
{
    public required string DataDir { get; init; }
    public IReadOnlyList<string> Paths { get; init; } = [];
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public string? Tenant { get; init; }
    public string? Stream { get; init; }
    public string? Service { get; init; }
    public string? Level { get; init; }
    public string? Kind { get; init; }
    public string? Dialect { get; init; }
    public bool Follow { get; init; }
}
