namespace Ingestd.Config;

/// <summary>The whole configuration; <see cref="Defaults"/> is what <c>ingestd</c> runs on without a file.</summary>
internal sealed record IngestdConfig
{
    public static IngestdConfig Defaults { get; } = new();

    public ServerConfig Server { get; init; } = new();

    public StorageConfig Storage { get; init; } = new();

    public LimitsConfig Limits { get; init; } = new();

    public AuthConfig Auth { get; init; } = new();

    /// <summary>No tenants means the daemon is open (start-up warns).</summary>
    public IReadOnlyList<TenantConfig> Tenants { get; init; } = [];

    /// <summary><c>[[outputs]]</c>: deliveries of the stored records to destinations.</summary>
    public IReadOnlyList<OutputConfig> Outputs { get; init; } = [];
    /// <summary><c>[processing]</c> and <c>[[pipelines]]</c>, for Ingestd/Processing to compile; null when the file has neither.</summary>
    public ProcessingSection? Processing { get; init; }

    public bool Equals(IngestdConfig? other) =>
        other is not null
        && Server.Equals(other.Server)
        && Storage.Equals(other.Storage)
        && Limits.Equals(other.Limits)
        && Auth.Equals(other.Auth)
        && Tenants.SequenceEqual(other.Tenants)
        && Outputs.SequenceEqual(other.Outputs)
        && Equals(Processing, other.Processing);

    public override int GetHashCode() => HashCode.Combine(Server, Storage, Limits, Auth, Tenants.Count);
}
