using Ingestd.Selection;

namespace Ingestd.Query;

/// <summary>What to read back and how: the records wanted, how many per page, in which order, from where on.</summary>
internal sealed record QueryRequest
{
    public required RecordCriteria Criteria { get; init; }
    public int Limit { get; init; } = QueryLimits.DefaultLimit;
    public bool Descending { get; init; }
    public QueryCursor? Cursor { get; init; }

    /// <summary>Fingerprint of the route and filter parameters as sent: the cursors of this query carry it, and only they continue it.</summary>
    public ulong Filters { get; init; }

    /// <summary>Stats only: the header field counts are grouped by.</summary>
    public StatsGroup GroupBy { get; init; } = StatsGroup.Level;

    /// <summary>Stats only: the bucket width.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>The routes that read records, each taking its own parameters on top of the shared filters.</summary>
internal enum QueryView
{
    /// <summary><c>/v1/query</c>: records like <c>ingestd read</c> prints them.</summary>
    Records,
    /// <summary><c>/v1/query/{type}</c>: Air entries of one type.</summary>
    Air,
    /// <summary><c>/v1/query/stats</c>: counts per time bucket.</summary>
    Stats,
    /// <summary><c>/v1/tail</c>: records as they are stored.</summary>
    Tail,
}

/// <summary><c>group_by</c> of <c>/v1/query/stats</c>.</summary>
internal enum StatsGroup { Level, Service, Dialect, Tenant, Kind }
