using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Records;

namespace Ingestd.Query;

/// <summary>
/// <c>/v1/query/stats</c>: counts of the matching records per time bucket (event time floored to the interval) and per
/// group (level, service, dialect, tenant or kind). Groups are found by their bytes in a short list, so counting
/// allocates nothing per record.
/// <c>{"interval":"1m","group_by":"level","buckets":[{"start":"…","counts":{"error":3,…}},…],"truncated"?:"max_time"}</c>;
/// buckets in time order, only those with a count. No cursor: a scan cut by <c>limits.query_max_time</c> says
/// <c>"truncated":"max_time"</c> (the counts are of the records read, oldest first), and one that would need more than
/// <see cref="QueryParameters.MaxBuckets"/> buckets (possible without <c>since</c>, which checks that up front) stops
/// there with <c>"truncated":"max_buckets"</c>.
/// </summary>
internal sealed class StatsAnswer : IRecordSink
{
    /// <summary>Distinct group values kept apart; the rest are counted under <c>"(other)"</c>.</summary>
    public const int MaxGroups = 1000;

    private readonly StatsGroup _groupBy;
    private readonly long _intervalNs;
    private readonly List<byte[]> _groups = new();
    private readonly SortedDictionary<long, long[]> _buckets = new();

    public StatsAnswer(StatsGroup groupBy, TimeSpan interval)
    {
        _groupBy = groupBy;
        _intervalNs = interval.Ticks * 100;
    }

    public string Cap => "max_buckets";

    public bool Add(long sequence, in RecordView view)
    {
        long start = view.EventNs - Mod(view.EventNs, _intervalNs);
        if (!_buckets.TryGetValue(start, out var counts))
        {
            // Memory stays bounded whatever event times the records carry.
            if (_buckets.Count == QueryParameters.MaxBuckets) return false;
            _buckets[start] = counts = new long[Math.Max(8, _groups.Count)];
        }
        int group = GroupIndex(_groupBy switch
        {
            StatsGroup.Level => view.Level,
            StatsGroup.Service => view.Service,
            StatsGroup.Tenant => view.Tenant,
            StatsGroup.Dialect => DialectNames[(byte)view.Dialect],
            _ => KindNames[(byte)view.Kind],
        });
        if (group >= counts.Length)
        {
            Array.Resize(ref counts, Math.Max(group + 1, counts.Length * 2));
            _buckets[start] = counts;
        }
        counts[group]++;
        return true;
    }

    private static long Mod(long value, long divisor)
    {
        long m = value % divisor;
        return m < 0 ? m + divisor : m;
    }

    // Dialect and kind names are a handful of constants: their bytes are made once, indexed by the record's byte.
    private static readonly byte[][] DialectNames = Names(b => RecordNames.Of((Dialect)b));
    private static readonly byte[][] KindNames = Names(b => RecordNames.Of((RecordKind)b));

    private static byte[][] Names(Func<byte, string> nameOf)
    {
        var names = new byte[256][];
        for (int b = 0; b < 256; b++) names[b] = Encoding.UTF8.GetBytes(nameOf((byte)b));
        return names;
    }

    /// <summary>The interval as the shortest unit that divides it: <c>90s</c>, <c>1m</c>, <c>2h</c>, <c>1d</c>.</summary>
    public static string FormatInterval(TimeSpan interval)
    {
        long seconds = (long)interval.TotalSeconds;
        if (seconds % 86400 == 0) return $"{seconds / 86400}d";
        if (seconds % 3600 == 0) return $"{seconds / 3600}h";
        if (seconds % 60 == 0) return $"{seconds / 60}m";
        return $"{seconds}s";
    }

    private static readonly byte[] Other = "(other)"u8.ToArray();

    private int GroupIndex(ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < _groups.Count; i++)
            if (value.SequenceEqual(_groups[i])) return i;
        if (_groups.Count == MaxGroups) return GroupIndex(Other);
        _groups.Add(value.ToArray());
        return _groups.Count - 1;
    }

    public void WriteTo(IBufferWriter<byte> output, TimeSpan interval, QueryOutcome outcome)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteString("interval"u8, FormatInterval(interval));
        w.WriteString("group_by"u8, _groupBy.ToString().ToLowerInvariant());
        w.WriteStartArray("buckets"u8);
        Span<byte> time = stackalloc byte[30];
        foreach (var (start, counts) in _buckets)
        {
            w.WriteStartObject();
            RecordJsonWriter.FormatTime(start, time);
            w.WriteString("start"u8, time);
            w.WriteStartObject("counts"u8);
            for (int g = 0; g < counts.Length && g < _groups.Count; g++)
                if (counts[g] > 0) w.WriteNumber(_groups[g], counts[g]);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (outcome.Truncated is { } why) w.WriteString("truncated"u8, why);
        w.WriteEndObject();
    }
}
