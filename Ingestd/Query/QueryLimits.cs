using Ingestd.Config;

namespace Ingestd.Query;

/// <summary>
/// The caps on one query (<c>limits.query_*</c>): records per answer, bytes per answer, and time spent scanning. A query
/// that reaches the bytes or time cap answers what it has, marked truncated, with a cursor to go on from.
/// </summary>
internal sealed record QueryLimits(int MaxRecords, long MaxBytes, TimeSpan MaxTime)
{
    /// <summary>Records per page when the query sets no <c>limit</c>.</summary>
    public const int DefaultLimit = 100;

    public static QueryLimits From(LimitsConfig limits) => new(limits.QueryMaxRecords, limits.QueryMaxBytes, limits.QueryMaxTime);
}
