using System.Buffers;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// Groups the items of one request by a key of bytes (a Loki stream's labels, an OTLP resource), keeping each group's
/// items in the order they were added. Reused from request to request: no allocation once warm.
/// </summary>
internal sealed class BatchGroups
{
    private readonly ArrayBufferWriter<byte> _keys = new(4096);
    private readonly List<(int Start, int Length, int First, int Last)> _groups = [];
    private readonly Dictionary<ulong, int> _byHash = [];
    private int[] _next = new int[256];

    public int Count => _groups.Count;

    public void Clear()
    {
        _keys.ResetWrittenCount();
        _groups.Clear();
        _byHash.Clear();
    }

    /// <summary>Puts item <paramref name="position"/> (0, 1, 2 … in sending order) in the group of <paramref name="key"/>.</summary>
    public void Add(int position, ReadOnlySpan<byte> key)
    {
        if (position >= _next.Length) Array.Resize(ref _next, Math.Max(_next.Length * 2, position + 1));
        _next[position] = -1;
        ulong hash = Fnv1a(key);
        int group = _byHash.TryGetValue(hash, out int found) && Key(found).SequenceEqual(key) ? found : -1;
        if (group < 0 && found >= 0 && _byHash.ContainsKey(hash))
        {
            // A hash collision: look through the groups (never in practice; correct anyway).
            for (int g = 0; g < _groups.Count && group < 0; g++) if (Key(g).SequenceEqual(key)) group = g;
        }
        if (group < 0)
        {
            int start = _keys.WrittenCount;
            _keys.Write(key);
            _groups.Add((start, key.Length, position, position));
            _byHash.TryAdd(hash, _groups.Count - 1);
            return;
        }
        var g0 = _groups[group];
        _next[g0.Last] = position;
        _groups[group] = g0 with { Last = position };
    }

    public ReadOnlySpan<byte> Key(int group)
    {
        var g = _groups[group];
        return _keys.WrittenSpan.Slice(g.Start, g.Length);
    }

    /// <summary>The group's first item position; follow with <see cref="Next"/> until -1.</summary>
    public int First(int group) => _groups[group].First;

    public int Next(int position) => _next[position];

    private static ulong Fnv1a(ReadOnlySpan<byte> key)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in key) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }
}
