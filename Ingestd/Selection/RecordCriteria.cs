namespace Ingestd.Selection;

/// <summary>
/// Which stored records a reader wants: an output's <c>match</c>, a query's or a tail's parameters. Each list is
/// "any of", an empty list is "any"; <see cref="Contains"/> is a substring of the event's JSON bytes; event time in
/// [<see cref="SinceNs"/>, <see cref="UntilNs"/>). Compiled once into a <see cref="RecordFilter"/>. Equal when every
/// field is (lists item by item, <c>where</c> by its text): an output's <c>match</c> is compared so on reload.
/// </summary>
internal sealed record RecordCriteria
{
    public IReadOnlyList<string> Tenants { get; init; } = [];
    public IReadOnlyList<string> Dialects { get; init; } = [];
    public IReadOnlyList<string> Kinds { get; init; } = [];
    public IReadOnlyList<string> Services { get; init; } = [];
    public IReadOnlyList<string> Levels { get; init; } = [];
    public IReadOnlyList<string> Streams { get; init; } = [];
    /// <summary>Route tags a pipeline's <c>route</c> step set; a record without any has the default route <c>store</c>.</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];
    /// <summary>A condition over the record's fields, in the pipelines' filter language (<c>Ingestd.Parsing/Conditions</c>).</summary>
    public RecordCondition? Where { get; init; }
    /// <summary><c>q</c>: the event JSON must contain these bytes (UTF-8 of the text, compared as bytes).</summary>
    public string? Contains { get; init; }
    public long SinceNs { get; init; } = long.MinValue;
    public long UntilNs { get; init; } = long.MaxValue;

    public bool Equals(RecordCriteria? other) =>
        other is not null && Tenants.SequenceEqual(other.Tenants) && Dialects.SequenceEqual(other.Dialects)
        && Kinds.SequenceEqual(other.Kinds) && Services.SequenceEqual(other.Services) && Levels.SequenceEqual(other.Levels)
        && Streams.SequenceEqual(other.Streams) && Routes.SequenceEqual(other.Routes) && Equals(Where, other.Where)
        && Contains == other.Contains && SinceNs == other.SinceNs && UntilNs == other.UntilNs;

    public override int GetHashCode() => HashCode.Combine(Tenants.Count, Services.Count, Levels.Count, Where, Contains, SinceNs, UntilNs);

    /// <summary>True when a block whose event times span [min, max] may hold a wanted record.</summary>
    public bool TimeOverlaps(long minEventNs, long maxEventNs) => maxEventNs >= SinceNs && minEventNs < UntilNs;
}
