using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>The member names leading to the object a rewrite is in (unescaped UTF-8), for matching <see cref="FieldPath"/>s.</summary>
internal sealed class PathStack
{
    private byte[] _bytes = new byte[512];
    private int[] _start = new int[16];
    private int[] _length = new int[16];

    /// <summary>Sets the name at <paramref name="depth"/> (0 = a member of the top-level object), dropping deeper ones.</summary>
    public void Set(int depth, ReadOnlySpan<byte> name)
    {
        if (depth >= _start.Length)
        {
            Array.Resize(ref _start, Math.Max(_start.Length * 2, depth + 1));
            Array.Resize(ref _length, _start.Length);
        }
        int at = depth == 0 ? 0 : _start[depth - 1] + _length[depth - 1];
        if (_bytes.Length - at < name.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, at + name.Length));
        name.CopyTo(_bytes.AsSpan(at));
        _start[depth] = at;
        _length[depth] = name.Length;
    }

    public ReadOnlySpan<byte> this[int depth] => _bytes.AsSpan(_start[depth], _length[depth]);

    /// <summary>The path's first <paramref name="count"/> segments match the names at depths 0..count-1.</summary>
    public bool PrefixMatches(FieldPath path, int count)
    {
        if (path.Segments.Length < count) return false;
        // Deepest first: members of one object share the names above them, so the last name is the one that tells.
        for (int i = count - 1; i >= 0; i--)
            if (!path.SegmentMatches(i, this[i])) return false;
        return true;
    }

    /// <summary>The path names exactly the member at depths 0..count-1.</summary>
    public bool Matches(FieldPath path, int count) => path.Segments.Length == count && PrefixMatches(path, count);
}
