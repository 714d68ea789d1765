namespace Ingestd.Cli;

/// <summary>What <c>ingestd</c> was asked to do.</summary>
internal enum CliVerb
{
    /// <summary><c>ingestd [--config FILE] [--listen HOST:PORT]... [--data-dir DIR]</c>: run the daemon.</summary>
    Serve,
    /// <summary><c>ingestd read [PATHS...] [filters] [--follow]</c>: print records as NDJSON.</summary>
    Read,
    /// <summary><c>ingestd verify [PATHS...]</c>: check every block's CRC and report counts.</summary>
    Verify,
    /// <summary><c>ingestd outputs [reset NAME --to-seq N|--to-time T]</c>: list the outputs' cursors, or move one.</summary>
    Outputs,
    /// <summary><c>ingestd check-config --config FILE</c>: load and compile the configuration, explain its pipelines.</summary>
    CheckConfig,
    /// <summary><c>ingestd pipeline test --config FILE [--tenant T --stream S --dialect D --service X --level L] &lt; events.ndjson</c>.</summary>
    PipelineTest,
    /// <summary><c>ingestd query [stats|logs|metrics|traces|messages|events] [--PARAM VALUE]...</c>: the query API, on the local data directory.</summary>
    Query,
    /// <summary><c>--version</c> / <c>-V</c>.</summary>
    Version,
    /// <summary><c>--help</c> / <c>-h</c> / <c>help</c>.</summary>
    Help,
}

/// <summary>A parsed command line; options that do not apply to <see cref="Verb"/> stay empty.</summary>
internal sealed record CliCommand
{
    public CliVerb Verb { get; init; }

    /// <summary><c>--config FILE</c>; null runs on the embedded defaults.</summary>
    public string? ConfigPath { get; init; }

    /// <summary><c>--listen HOST:PORT</c>, repeatable, already checked to parse; replaces <c>server.listen</c>.</summary>
    public IReadOnlyList<string> ListenOverrides { get; init; } = [];

    /// <summary><c>--data-dir DIR</c>; replaces <c>server.data_dir</c>.</summary>
    public string? DataDirOverride { get; init; }

    /// <summary>read/verify: segment files or directories; empty means the configured data_dir.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>read: only records received at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>read: only records received before this instant.</summary>
    public DateTimeOffset? Until { get; init; }

    public string? Tenant { get; init; }

    /// <summary>read: only records sent to this Streams stream (<c>X-Stream-Id</c>).</summary>
    public string? Stream { get; init; }

    public string? Service { get; init; }

    public string? Level { get; init; }

    /// <summary>read: a record kind name, lower-case (log, event, metric, deployment, message, trace).</summary>
    public string? Kind { get; init; }

    /// <summary>read: a dialect name, lower-case (astralog, streams, guardian, operyn, air).</summary>
    public string? Dialect { get; init; }

    /// <summary>outputs reset: the next sequence to deliver.</summary>
    public long? ToSeq { get; init; }

    /// <summary>outputs reset: deliver again from the first record received at or after this instant.</summary>
    public DateTimeOffset? ToTime { get; init; }

    /// <summary>read: keep printing records as they are written.</summary>
    public bool Follow { get; init; }

    /// <summary>query: the route below <c>/v1/query</c> (stats, logs, …), or null for <c>/v1/query</c> itself.</summary>
    public string? QueryView { get; init; }

    /// <summary>query: the HTTP API's parameters, <c>--name value</c> in order (names as in the query string).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> QueryParameters { get; init; } = [];

    /// <summary>query: <c>--json</c>, the answer as <c>Accept: application/json</c> gets it.</summary>
    public bool Json { get; init; }
    /// <summary>verify: rebuild the block index of closed segments where it is missing or stale.</summary>
    public bool Reindex { get; init; }

    public bool Equals(CliCommand? other) =>
        other is not null
        && Verb == other.Verb
        && ConfigPath == other.ConfigPath
        && ListenOverrides.SequenceEqual(other.ListenOverrides)
        && DataDirOverride == other.DataDirOverride
        && Paths.SequenceEqual(other.Paths)
        && Since == other.Since
        && Until == other.Until
        && Tenant == other.Tenant
        && Stream == other.Stream
        && Service == other.Service
        && Level == other.Level
        && Kind == other.Kind
        && Dialect == other.Dialect
        && Follow == other.Follow
        && QueryView == other.QueryView
        && QueryParameters.SequenceEqual(other.QueryParameters)
        && Json == other.Json
        && Reindex == other.Reindex
        && ToSeq == other.ToSeq
        && ToTime == other.ToTime;

    public override int GetHashCode() => HashCode.Combine(Verb, ConfigPath, DataDirOverride, Since, Until, Paths.Count);
}
