using System.Globalization;
using Ingestd.Config;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;
using Ingestd.Selection;

namespace Ingestd.Query;

/// <summary>
/// Reads a query's parameters (the HTTP query string, or <c>ingestd query --name value</c>) into a
/// <see cref="QueryRequest"/>; anything wrong is a <see cref="QueryParameterException"/> naming the parameter. A reader
/// confined to one tenant (<paramref name="onlyTenant"/>) gets that tenant's records only, whatever else it asks for:
/// the tenant list is set here, before any other filter, so neither <c>q</c> nor <c>where</c> can reach past it. A
/// cursor is taken only with the filters it was made with. Cold path.
/// </summary>
internal static class QueryParameters
{
    private static readonly string[] Filters = ["since", "until", "tenant", "stream", "dialect", "kind", "service", "level", "route", "q", "where"];
    private static readonly string[] Paging = ["limit", "order", "cursor"];
    private static readonly string[] StatsOnly = ["group_by", "interval"];

    /// <summary>Buckets a stats answer may hold (so a 1 s interval over a year is refused, not built).</summary>
    public const int MaxBuckets = 10_000;

    /// <param name="scope">What the route itself fixes (Air's entry type), for the cursor's fingerprint.</param>
    public static QueryRequest Parse(IEnumerable<KeyValuePair<string, string>> pairs, QueryView view, string? onlyTenant,
        QueryLimits limits, DateTimeOffset now, string? scope = null)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (rawKey, value) in pairs)
        {
            if (rawKey == "access_token") continue; // the credential, read by the access check
            string key = rawKey;
            if (!Allowed(view, key))
                throw new QueryParameterException(key, $"unknown parameter for this route (use {string.Join(", ", AllowedNames(view))})");
            if (!values.TryGetValue(key, out var list)) values[key] = list = new List<string>();
            list.Add(value);
        }

        long sinceNs = Time(values, "since", now, long.MinValue);
        long untilNs = Time(values, "until", now, long.MaxValue);
        if (sinceNs >= untilNs && sinceNs != long.MinValue && untilNs != long.MaxValue)
            throw new QueryParameterException("since", "is not before until");

        var tenants = Strings(values, "tenant");
        if (onlyTenant is not null)
        {
            foreach (var t in tenants)
                if (t != onlyTenant) throw new QueryForbiddenException($"tenant: this key reads only tenant '{onlyTenant}', not '{t}'");
            tenants = [onlyTenant];
        }

        var criteria = new RecordCriteria
        {
            SinceNs = sinceNs,
            UntilNs = untilNs,
            Tenants = tenants,
            Streams = Strings(values, "stream"),
            Services = Strings(values, "service"),
            Levels = Listed(values, "level"),
            Routes = Strings(values, "route"),
            Dialects = Names<Dialect>(values, "dialect", d => RecordNames.Of(d)),
            Kinds = Names<RecordKind>(values, "kind", k => RecordNames.Of(k)),
            Contains = Single(values, "q") is { Length: > 0 } q ? q : null,
            Where = Where(Single(values, "where")),
        };

        var request = new QueryRequest { Criteria = criteria, Filters = Fingerprint(values, view, scope) };
        if (Single(values, "limit") is string limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out int limit) || limit < 1)
                throw new QueryParameterException("limit", $"expected a whole number from 1 to {limits.MaxRecords}, got '{limitText}'");
            if (limit > limits.MaxRecords)
                throw new QueryParameterException("limit", $"{limit} is over limits.query_max_records ({limits.MaxRecords}); page with the cursor instead");
            request = request with { Limit = limit };
        }
        else request = request with { Limit = Math.Min(QueryLimits.DefaultLimit, limits.MaxRecords) };

        bool descending = Single(values, "order") switch
        {
            null or "asc" => false,
            "desc" => true,
            var other => throw new QueryParameterException("order", $"expected asc or desc, got '{other}'"),
        };
        request = request with { Descending = descending };
        if (Single(values, "cursor") is string cursorText)
        {
            if (!QueryCursor.TryDecode(cursorText, out var cursor, out string problem)) throw new QueryParameterException("cursor", problem);
            if (cursor.Descending != descending)
                throw new QueryParameterException("cursor", $"was made for order={(cursor.Descending ? "desc" : "asc")}; repeat the query's order with it");
            if (cursor.Filters != request.Filters)
                throw new QueryParameterException("cursor", $"was made for other filters; send it with the same {string.Join(", ", Filters)} as the query that returned it, or start again without a cursor");
            request = request with { Cursor = cursor };
        }

        if (view == QueryView.Stats)
        {
            request = request with
            {
                GroupBy = Single(values, "group_by") switch
                {
                    null or "level" => StatsGroup.Level,
                    "service" => StatsGroup.Service,
                    "dialect" => StatsGroup.Dialect,
                    "tenant" => StatsGroup.Tenant,
                    "kind" => StatsGroup.Kind,
                    var other => throw new QueryParameterException("group_by", $"expected level, service, dialect, tenant or kind, got '{other}'"),
                },
            };
            if (Single(values, "interval") is string intervalText)
            {
                if (!ConfigUnits.TryParseDuration(intervalText, out var interval) || interval < TimeSpan.FromSeconds(1))
                    throw new QueryParameterException("interval", $"expected a duration of at least 1s like 10s, 1m, 1h, 1d; got '{intervalText}'");
                request = request with { Interval = interval };
            }
            if (sinceNs != long.MinValue)
            {
                long end = untilNs == long.MaxValue ? QueryTime.ToUnixNs(now) : untilNs;
                long buckets = (end - sinceNs) / (request.Interval.Ticks * 100) + 1;
                if (buckets > MaxBuckets)
                    throw new QueryParameterException("interval", $"{buckets} buckets between since and until; at most {MaxBuckets} (use a longer interval)");
            }
        }
        return request;
    }

    // The filters as sent, not as resolved: "since=15m" names a moving instant, and each page of that query says it again.
    private static ulong Fingerprint(Dictionary<string, List<string>> values, QueryView view, string? scope)
    {
        var text = new System.Text.StringBuilder().Append(view).Append('\n').Append(scope).Append('\n');
        foreach (var key in Filters)
            if (values.TryGetValue(key, out var list))
                foreach (var value in list) text.Append(key).Append('=').Append(value).Append('\n');
        return Storage.Index.FieldHash.Of(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static bool Allowed(QueryView view, string key) => Array.IndexOf(AllowedNames(view), key) >= 0;

    private static string[] AllowedNames(QueryView view) => view switch
    {
        QueryView.Records => [.. Filters, .. Paging],
        // The Air views fix dialect and kind themselves.
        QueryView.Air => [.. Filters.Where(f => f is not ("dialect" or "kind")), .. Paging],
        QueryView.Stats => [.. Filters, .. StatsOnly],
        _ => Filters,
    };

    private static string? Single(Dictionary<string, List<string>> values, string key)
    {
        if (!values.TryGetValue(key, out var list)) return null;
        if (list.Count > 1) throw new QueryParameterException(key, "given more than once");
        return list[0];
    }

    private static List<string> Strings(Dictionary<string, List<string>> values, string key)
    {
        if (!values.TryGetValue(key, out var list)) return [];
        foreach (var v in list)
            if (v.Length == 0) throw new QueryParameterException(key, "is empty");
        return list;
    }

    // Level, dialect and kind names never hold commas, so "level=error,fatal" is a list too.
    private static List<string> Listed(Dictionary<string, List<string>> values, string key)
    {
        var result = new List<string>();
        foreach (var v in Strings(values, key))
            foreach (var part in v.Split(',', StringSplitOptions.TrimEntries))
            {
                if (part.Length == 0) throw new QueryParameterException(key, $"has an empty name in '{v}'");
                result.Add(part);
            }
        return result;
    }

    private static List<string> Names<TEnum>(Dictionary<string, List<string>> values, string key, Func<TEnum, string> nameOf) where TEnum : struct, Enum
    {
        var known = new List<string>();
        foreach (TEnum member in Enum.GetValues<TEnum>())
            if (nameOf(member) is { } name && name != "unknown") known.Add(name);
        var result = new List<string>();
        foreach (var part in Listed(values, key))
        {
            string? found = known.Find(n => n.Equals(part, StringComparison.OrdinalIgnoreCase));
            if (found is null) throw new QueryParameterException(key, $"expected one of {string.Join(", ", known)}; got '{part}'");
            result.Add(found);
        }
        return result;
    }

    private static long Time(Dictionary<string, List<string>> values, string key, DateTimeOffset now, long absent)
    {
        if (Single(values, key) is not string text) return absent;
        if (!QueryTime.TryParse(text, now, out var instant))
            throw new QueryParameterException(key, $"expected an RFC 3339 time like 2024-05-31T15:30:45Z or a duration ago like 15m, 2h, 1d; got '{text}'");
        return QueryTime.ToUnixNs(instant);
    }

    private static RecordCondition? Where(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return RecordCondition.Parse(text);
        }
        catch (ConditionException e)
        {
            throw new QueryParameterException("where", $"column {e.Column}: {e.Problem}", e.Column);
        }
    }
}
