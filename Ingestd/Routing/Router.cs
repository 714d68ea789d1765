using System.Text;
using Ingestd.Endpoints;
using Ingestd.Parsing.Http;

namespace Ingestd.Routing;

/// <summary>
/// Maps a request path to its endpoint, on bytes and without allocating. A route is an exact
/// path, or a path with one <c>{parameter}</c> segment anywhere (e.g. <c>/v1/ingest/{type}</c>,
/// <c>/{index}/_bulk</c>); the endpoint validates the parameter itself. Exact routes win. A route that claims
/// only some methods (<see cref="Endpoint.Routes"/>, e.g. <c>HEAD /{index}</c>) leaves the others to the next
/// match, and so to 404 when there is none.
/// </summary>
internal sealed class Router
{
    private readonly (byte[] Path, Endpoint Endpoint)[] _exact;
    private readonly (byte[] Prefix, byte[] Suffix, Endpoint Endpoint)[] _parameterised;

    public Router(IReadOnlyList<Endpoint> endpoints)
    {
        var exact = new List<(byte[], Endpoint)>();
        var parameterised = new List<(byte[], byte[], Endpoint)>();
        foreach (var e in endpoints)
        {
            int open = e.Name.IndexOf('{');
            if (open < 0)
            {
                exact.Add((Encoding.ASCII.GetBytes(e.Name), e));
                continue;
            }
            int close = e.Name.IndexOf('}', open);
            parameterised.Add((Encoding.ASCII.GetBytes(e.Name[..open]), Encoding.ASCII.GetBytes(e.Name[(close + 1)..]), e));
        }
        _exact = exact.ToArray();
        _parameterised = parameterised.ToArray();
        Endpoints = endpoints;
    }

    /// <summary>Every route, for the OpenAPI document and its consistency test.</summary>
    public IReadOnlyList<Endpoint> Endpoints { get; }

    public Endpoint? Match(ReadOnlySpan<byte> path, HttpMethod method, out int parameterStart)
    {
        parameterStart = -1;
        foreach (var (p, e) in _exact)
            if (path.SequenceEqual(p) && e.Routes(method)) return e;
        foreach (var (prefix, suffix, e) in _parameterised)
        {
            if (!e.Routes(method) || path.Length <= prefix.Length + suffix.Length || !path.StartsWith(prefix) || !path.EndsWith(suffix)) continue;
            // The parameter is one non-empty segment.
            var parameter = path[prefix.Length..^suffix.Length];
            if (parameter.IndexOf((byte)'/') >= 0) continue;
            parameterStart = prefix.Length;
            return e;
        }
        return null;
    }
}
