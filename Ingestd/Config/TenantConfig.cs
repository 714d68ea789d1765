namespace Ingestd.Config;

/// <summary>One <c>[[tenants]]</c> entry.</summary>
internal sealed record TenantConfig
{
    public const int DefaultRateLimitPerMinute = 120;

    /// <summary><c>id</c>: the tenant written into every record's envelope.</summary>
    public required string Id { get; init; }

    /// <summary><c>keys</c>: API keys/tokens that authenticate as this tenant.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>
    /// <c>streams</c>: the Streams pipelines (<c>X-Stream-Id</c>) this tenant's keys may write to;
    /// null (key absent) = any stream.
    /// </summary>
    public IReadOnlyList<string>? Streams { get; init; }

    /// <summary><c>rate_limit_per_minute</c>: token bucket per key (Guardian-style).</summary>
    public int RateLimitPerMinute { get; init; } = DefaultRateLimitPerMinute;

    /// <summary>
    /// <c>client_certificate_sha256</c>: SHA-256 fingerprints (64 hex digits, upper case here; colons allowed in the file)
    /// of client certificates that authenticate as this tenant over mTLS, without an API key.
    /// </summary>
    public IReadOnlyList<string> ClientCertificateSha256 { get; init; } = [];

    public bool Equals(TenantConfig? other) =>
        other is not null
        && Id == other.Id
        && RateLimitPerMinute == other.RateLimitPerMinute
        && Keys.SequenceEqual(other.Keys)
        && ClientCertificateSha256.SequenceEqual(other.ClientCertificateSha256)
        && (Streams is null ? other.Streams is null : other.Streams is not null && Streams.SequenceEqual(other.Streams));

    public override int GetHashCode() => HashCode.Combine(Id, RateLimitPerMinute, Keys.Count);
}
