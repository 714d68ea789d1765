using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Which events a pipeline applies to: each given key (tenant, dialect, stream, service, level) must equal one of its
/// values; keys left out match anything. Compared byte-wise with the record header.
/// </summary>
internal sealed class PipelineMatch
{
    public byte[][]? Tenants { get; init; }
    public Dialect[]? Dialects { get; init; }
    public byte[][]? Streams { get; init; }
    public byte[][]? Services { get; init; }
    public byte[][]? Levels { get; init; }

    public bool Matches(ReadOnlySpan<byte> tenant, Dialect dialect, ReadOnlySpan<byte> stream, ReadOnlySpan<byte> service, ReadOnlySpan<byte> level)
        => (Dialects is null || Array.IndexOf(Dialects, dialect) >= 0)
            && OneOf(Tenants, tenant) && OneOf(Streams, stream) && OneOf(Services, service) && OneOf(Levels, level);

    private static bool OneOf(byte[][]? values, ReadOnlySpan<byte> actual)
    {
        if (values is null) return true;
        foreach (var v in values)
            if (actual.SequenceEqual(v)) return true;
        return false;
    }
}
