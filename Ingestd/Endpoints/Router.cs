using System.Text;

namespace Ingestd.Endpoints;

/// <summary>
/// Maps a request path to its endpoint, on bytes and without allocating. A route is an exact
/// path, or a path whose last segment is a <c>{parameter}</c> (e.g. <c>/v1/ingest/{type}</c>);
/// the endpoint validates the parameter itself.
/// </summary>
internal sealed class Router
{
    private readonly (byte[] Path, Endpoint Endpoint)[] _exact;
    private readonly (byte[] Prefix, Endpoint Endpoint)[] _parameterised;

    public Router(IReadOnlyList<Endpoint> endpoints)
    {
        var exact = new List<(byte[], Endpoint)>();
        var parameterised = new List<(byte[], Endpoint)>();
        foreach (var e in endpoints)
        {
            int brace = e.Name.IndexOf('{');
            if (brace < 0) exact.Add((Encoding.ASCII.GetBytes(e.Name), e));
            else parameterised.Add((Encoding.ASCII.GetBytes(e.Name[..brace]), e));
        }
        _exact = exact.ToArray();
        _parameterised = parameterised.ToArray();
        Endpoints = endpoints;
    }

    /// <summary>Every route, for the OpenAPI document and its consistency test.</summary>
    public IReadOnlyList<Endpoint> Endpoints { get; }

    public Endpoint? Match(ReadOnlySpan<byte> path, out int parameterStart)
    {
        parameterStart = -1;
        foreach (var (p, e) in _exact)
            if (path.SequenceEqual(p)) return e;
        foreach (var (prefix, e) in _parameterised)
        {
            // One non-empty segment after the prefix.
            if (path.Length > prefix.Length && path.StartsWith(prefix) && path[prefix.Length..].IndexOf((byte)'/') < 0)
            {
                parameterStart = prefix.Length;
                return e;
            }
        }
        return null;
    }
}
