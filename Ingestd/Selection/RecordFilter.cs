using System.Text;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Records;

namespace Ingestd.Selection;

/// <summary>
/// The one filter over stored records, for outputs (<c>match</c>), queries and the live tail: every non-empty list
/// must contain the record's value. Values are compared as bytes (tenant, service, stream, route tags) or ASCII
/// case-insensitively (level); dialect and kind by table. A record with no route tags has the default route
/// <c>store</c>. Then the event time range, then <c>q</c> (a substring of the event JSON), and last <c>where</c>, a
/// condition over the event's fields, so records the header already rules out are never parsed.
/// Allocates nothing per record. Immutable once built: callers that share one across threads pass each their own
/// <see cref="FieldLocator"/>.
/// </summary>
internal sealed class RecordFilter
{
    private readonly byte[][] _tenants;
    private readonly byte[][] _services;
    private readonly byte[][] _levels;
    private readonly byte[][] _streams;
    private readonly byte[][] _routes;
    private readonly bool[]? _dialects;
    private readonly bool[]? _kinds;
    private readonly Condition? _where;
    private readonly byte[]? _contains;
    private readonly long _sinceNs, _untilNs;
    private readonly FieldLocator _locator = new();

    public RecordFilter(RecordCriteria match)
    {
        Criteria = match;
        _sinceNs = match.SinceNs;
        _untilNs = match.UntilNs;
        _contains = string.IsNullOrEmpty(match.Contains) ? null : Encoding.UTF8.GetBytes(match.Contains);
        _tenants = Bytes(match.Tenants);
        _services = Bytes(match.Services);
        _levels = Bytes(match.Levels);
        _streams = Bytes(match.Streams);
        _routes = Bytes(match.Routes);
        _dialects = match.Dialects.Count == 0 ? null : Table<Dialect>(match.Dialects, d => RecordNames.Of(d));
        _kinds = match.Kinds.Count == 0 ? null : Table<RecordKind>(match.Kinds, k => RecordNames.Of(k));
        if (match.Where?.Compiled is { } where)
        {
            // Each distinct path gets a locator slot, so a path the condition names twice is found once per record.
            var paths = new List<FieldPath>();
            where.CollectPaths(paths);
            var table = new PathTable();
            foreach (var path in paths)
                if (!path.IsHeader) table.Intern(path);
            _where = where;
        }
    }

    public RecordCriteria Criteria { get; }

    /// <summary>Judges one record with this filter's own locator: for a filter used by one thread.</summary>
    public bool Matches(in RecordView view) => Matches(view, _locator);

    /// <summary>Judges one record; <paramref name="locator"/> belongs to the calling thread.</summary>
    public bool Matches(in RecordView view, FieldLocator locator)
    {
        if (_dialects is not null && !_dialects[(byte)view.Dialect]) return false;
        if (_kinds is not null && !_kinds[(byte)view.Kind]) return false;
        if (_tenants.Length > 0 && !AnyEqual(_tenants, view.Tenant)) return false;
        if (_services.Length > 0 && !AnyEqual(_services, view.Service)) return false;
        if (_streams.Length > 0 && !AnyEqual(_streams, view.Stream)) return false;
        if (_routes.Length > 0 && !AnyRoute(_routes, view.Routes)) return false;
        if (_levels.Length > 0)
        {
            bool found = false;
            foreach (var level in _levels) found |= Ascii.EqualsIgnoreCase(view.Level, level);
            if (!found) return false;
        }
        long t = view.EventNs;
        if (t < _sinceNs || t >= _untilNs) return false;
        if (_contains is not null && view.Json.IndexOf(_contains) < 0) return false;
        return _where is null || WhereHolds(view, locator);
    }

    private bool WhereHolds(in RecordView view, FieldLocator locator)
    {
        locator.Invalidate();
        var fields = new EventFields
        {
            Tenant = view.Tenant,
            Stream = view.Stream,
            Service = view.Service,
            Level = view.Level,
            Json = view.Json,
            Dialect = view.Dialect,
            Kind = view.Kind,
            Locator = locator,
        };
        return _where!.Evaluate(ref fields);
    }

    // Route tags are stored comma-separated; none stored means the default route "store".
    private static bool AnyRoute(byte[][] wanted, ReadOnlySpan<byte> routes)
    {
        if (routes.IsEmpty) return AnyEqual(wanted, "store"u8);
        foreach (var range in routes.Split((byte)','))
            if (AnyEqual(wanted, routes[range])) return true;
        return false;
    }

    private static bool AnyEqual(byte[][] values, ReadOnlySpan<byte> value)
    {
        foreach (var v in values) if (value.SequenceEqual(v)) return true;
        return false;
    }

    private static byte[][] Bytes(IReadOnlyList<string> values)
    {
        var result = new byte[values.Count][];
        for (int i = 0; i < values.Count; i++) result[i] = Encoding.UTF8.GetBytes(values[i]);
        return result;
    }

    // Names that match no member simply match nothing: a dialect added later is spelled the same way in config.
    private static bool[] Table<TEnum>(IReadOnlyList<string> names, Func<TEnum, string> nameOf) where TEnum : struct, Enum
    {
        var table = new bool[256];
        foreach (TEnum member in Enum.GetValues<TEnum>())
            if (names.Contains(nameOf(member))) table[Convert.ToByte(member)] = true;
        return table;
    }
}
