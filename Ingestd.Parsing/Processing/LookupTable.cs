using System.Text;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// A table of rows keyed by one column (a CSV file's rows, read by the daemon): key text → the other columns' values,
/// each already encoded as a JSON string. Looked up by UTF-8 bytes without allocating.
/// </summary>
internal sealed class LookupTable
{
    // Keyed by the key's UTF-8 bytes, looked up by the event's bytes as they are (no transcoding per event).
    private readonly Dictionary<byte[], byte[][]> _rows;
    private readonly Dictionary<byte[], byte[][]>.AlternateLookup<ReadOnlySpan<byte>> _byBytes;

    /// <param name="columns">The value columns' names, in the order of each row's values.</param>
    /// <param name="rows">Key → values (plain text, one per column).</param>
    public LookupTable(string name, IReadOnlyList<string> columns, IEnumerable<KeyValuePair<string, string[]>> rows)
    {
        Name = name;
        Columns = columns;
        _rows = new Dictionary<byte[], byte[][]>(new Utf8KeyComparer());
        foreach (var (key, values) in rows)
        {
            var encoded = new byte[values.Length][];
            for (int i = 0; i < values.Length; i++) encoded[i] = JsonStringLiteral(values[i]);
            _rows[System.Text.Encoding.UTF8.GetBytes(key)] = encoded;
        }
        _byBytes = _rows.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>Where the table came from (a file name), for messages.</summary>
    public string Name { get; }

    public IReadOnlyList<string> Columns { get; }

    public int Count => _rows.Count;

    public int ColumnIndex(string column)
    {
        for (int i = 0; i < Columns.Count; i++)
            if (Columns[i] == column) return i;
        return -1;
    }

    /// <summary>The row of <paramref name="key"/> (UTF-8): each column's value as JSON string text.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[][] row)
    {
        if (_byBytes.TryGetValue(key, out var found))
        {
            row = found;
            return true;
        }
        row = [];
        return false;
    }

    // Keys compared byte for byte (UTF-8 of the same text is the same bytes), hashed with the process's random seed.
    private sealed class Utf8KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] key) => Hash(key);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<byte> key)
        {
            var hash = new HashCode();
            hash.AddBytes(key);
            return hash.ToHashCode();
        }
    }

    private static byte[] JsonStringLiteral(string s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            w.WriteStringValue(s);
        return buffer.WrittenSpan.ToArray();
    }
}
