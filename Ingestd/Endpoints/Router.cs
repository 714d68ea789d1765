using Ingestd.Auth;

namespace Ingestd.Endpoints;

/// <summary>Maps a request path to its endpoint. Exact paths; matched on bytes, no allocation.</summary>
internal sealed class Router
{
    private readonly HealthEndpoint _health = new();
    private readonly DrainEndpoint _drain;

    public Router(TenantDirectory tenants)
    {
        _drain = new DrainEndpoint(tenants);
    }

    public Endpoint? Match(ReadOnlySpan<byte> path)
    {
        if (path.SequenceEqual("/v1/drain"u8)) return _drain;
        if (path.SequenceEqual("/health"u8)) return _health;
        return null;
    }
}
