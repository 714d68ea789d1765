namespace Ingestd.Config;

/// <summary><c>[auth]</c>: JWT verification material for the Air dialect, and the query API's admin keys.</summary>
internal sealed record AuthConfig
{
    /// <summary><c>jwt_hs256_secrets</c>: accepted HS256 secrets.</summary>
    public IReadOnlyList<string> JwtHs256Secrets { get; init; } = [];

    /// <summary><c>jwt_public_keys</c>: paths of PEM files for RS256/ES256 (read at start-up by the auth code).</summary>
    public IReadOnlyList<string> JwtPublicKeys { get; init; } = [];

    /// <summary><c>admin_keys</c>: keys that read every tenant's records through the query API and the live tail.</summary>
    public IReadOnlyList<string> AdminKeys { get; init; } = [];

    public bool Equals(AuthConfig? other) =>
        other is not null
        && JwtHs256Secrets.SequenceEqual(other.JwtHs256Secrets)
        && JwtPublicKeys.SequenceEqual(other.JwtPublicKeys)
        && AdminKeys.SequenceEqual(other.AdminKeys);

    public override int GetHashCode() => HashCode.Combine(JwtHs256Secrets.Count, JwtPublicKeys.Count);
}
