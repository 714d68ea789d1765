using Ingestd.Config;
using Ingestd.Parsing.Http;

namespace Ingestd.Http;

/// <summary>The HTTP limits of one configuration version, built once per (re)load.</summary>
internal sealed record RequestLimits(HttpLimits Http, long MaxBodyBytes, TimeSpan HeaderTimeout, TimeSpan IdleTimeout, TimeSpan BodyTimeout, int MaxConnections)
{
    public static RequestLimits From(LimitsConfig limits) => new(
        new HttpLimits
        {
            MaxRequestLineBytes = limits.MaxRequestLineBytes,
            MaxHeaderBytes = limits.MaxHeaderBytes,
            MaxHeaderCount = limits.MaxHeaderCount,
        },
        limits.MaxBodyBytes, limits.HeaderTimeout, limits.IdleTimeout, limits.BodyTimeout, limits.MaxConnections);
}
