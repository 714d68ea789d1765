using System.Text;
using Ingestd.Parsing.Records;

namespace Ingestd.Storage.Index;

/// <summary>
/// What a reader wants from the blocks of a segment: an event-time range and, optionally, the tenants, services,
/// levels, streams, dialects and kinds of interest (null = any; several values = any of them; an empty list = none). Decides per block
/// whether it may hold a matching record; a "may" is never a "does": the records still go through the caller's own
/// filter. Immutable, safe to share between threads.
/// </summary>
internal sealed class BlockQuery
{
    /// <summary>Every block.</summary>
    public static readonly BlockQuery All = new();

    private ulong[]? _tenants, _services, _levels, _streams;
    private ulong _dialectBits = ulong.MaxValue;
    private uint _kindBits = uint.MaxValue;
    private volatile bool _prepared;

    /// <summary>Event time at or after this (Unix ns).</summary>
    public long SinceNs { get; init; } = long.MinValue;

    /// <summary>Event time before this (Unix ns).</summary>
    public long UntilNs { get; init; } = long.MaxValue;

    /// <summary>Exact tenants.</summary>
    public IReadOnlyList<string>? Tenants { get; init; }

    /// <summary>Exact services.</summary>
    public IReadOnlyList<string>? Services { get; init; }

    /// <summary>Levels, matched ignoring ASCII case.</summary>
    public IReadOnlyList<string>? Levels { get; init; }

    /// <summary>Exact Streams pipelines (<c>X-Stream-Id</c>); the empty string stands for records without one.</summary>
    public IReadOnlyList<string>? Streams { get; init; }

    public IReadOnlyList<Dialect>? Dialects { get; init; }

    public IReadOnlyList<RecordKind>? Kinds { get; init; }

    /// <summary>
    /// A query from name lists where an empty list means "any" (as the query API's criteria have them); dialect and
    /// kind names are matched ignoring case, and a name that is none of them is left out.
    /// </summary>
    public static BlockQuery Of(long sinceNs, long untilNs, IReadOnlyList<string> tenants, IReadOnlyList<string> services,
        IReadOnlyList<string> levels, IReadOnlyList<string> streams, IReadOnlyList<string> dialects, IReadOnlyList<string> kinds) => new()
    {
        SinceNs = sinceNs,
        UntilNs = untilNs,
        Tenants = tenants.Count == 0 ? null : tenants,
        Services = services.Count == 0 ? null : services,
        Levels = levels.Count == 0 ? null : levels,
        Streams = streams.Count == 0 ? null : streams,
        Dialects = dialects.Count == 0 ? null : Names<Dialect>(dialects),
        Kinds = kinds.Count == 0 ? null : Names<RecordKind>(kinds),
    };

    private static List<T> Names<T>(IReadOnlyList<string> names) where T : struct, Enum
    {
        var values = new List<T>();
        foreach (var name in names)
            if (Enum.TryParse<T>(name, ignoreCase: true, out var value) && !int.TryParse(name, out _)) values.Add(value);
        return values;
    }

    /// <summary>True when the query looks at more than time, so that only an index can skip blocks for it.</summary>
    public bool HasFieldFilters => Tenants is not null || Services is not null || Levels is not null || Streams is not null
                                   || Dialects is not null || Kinds is not null;

    /// <summary>Whether a block whose event times span [<paramref name="minNs"/>, <paramref name="maxNs"/>] may hold a match.</summary>
    public bool OverlapsTime(long minNs, long maxNs) => maxNs >= SinceNs && minNs < UntilNs;

    /// <summary>Whether the block may hold a match, judged by its header alone (time only).</summary>
    public bool MayMatch(scoped in BlockHeader header) => OverlapsTime(header.MinEventNs, header.MaxEventNs);

    internal ulong DialectBits { get { Prepare(); return _dialectBits; } }
    internal uint KindBits { get { Prepare(); return _kindBits; } }

    /// <summary>The hashes of the values wanted for set <paramref name="set"/> (<see cref="IndexFormat.TenantSet"/>…); null = any.</summary>
    internal ulong[]? Hashes(int set)
    {
        Prepare();
        return set switch
        {
            IndexFormat.TenantSet => _tenants,
            IndexFormat.ServiceSet => _services,
            IndexFormat.LevelSet => _levels,
            _ => _streams,
        };
    }

    // Computed once, lazily; a race computes the same values twice, harmlessly.
    private void Prepare()
    {
        if (_prepared) return;
        _tenants = HashAll(Tenants, folded: false);
        _services = HashAll(Services, folded: false);
        _levels = HashAll(Levels, folded: true);
        _streams = HashAll(Streams, folded: false);
        if (Dialects is not null)
        {
            ulong bits = 0;
            foreach (var d in Dialects) bits |= IndexFormat.DialectBit((byte)d);
            _dialectBits = bits;
        }
        if (Kinds is not null)
        {
            uint bits = 0;
            foreach (var k in Kinds) bits |= IndexFormat.KindBit((byte)k);
            _kindBits = bits;
        }
        _prepared = true;
    }

    private static ulong[]? HashAll(IReadOnlyList<string>? values, bool folded)
    {
        if (values is null) return null;
        var hashes = new ulong[values.Count];
        for (int i = 0; i < hashes.Length; i++)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(values[i]);
            hashes[i] = folded ? FieldHash.OfFolded(bytes) : FieldHash.Of(bytes);
        }
        return hashes;
    }
}
