using System.Text;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// A table of rows keyed by one column (a CSV file's rows, read by the daemon): key text → the other columns' values,
/// each already encoded as a JSON string. Looked up by UTF-8 bytes without allocating.
/// </summary>
internal sealed class LookupTable
{
    private readonly Dictionary<string, byte[][]> _rows;
    private readonly Dictionary<string, byte[][]>.AlternateLookup<ReadOnlySpan<char>> _byChars;

    /// <param name="columns">The value columns' names, in the order of each row's values.</param>
    /// <param name="rows">Key → values (plain text, one per column).</param>
    public LookupTable(string name, IReadOnlyList<string> columns, IEnumerable<KeyValuePair<string, string[]>> rows)
    {
        Name = name;
        Columns = columns;
        _rows = new Dictionary<string, byte[][]>(StringComparer.Ordinal);
        foreach (var (key, values) in rows)
        {
            var encoded = new byte[values.Length][];
            for (int i = 0; i < values.Length; i++) encoded[i] = JsonStringLiteral(values[i]);
            _rows[key] = encoded;
        }
        _byChars = _rows.GetAlternateLookup<ReadOnlySpan<char>>();
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
        row = [];
        if (key.Length > 512) return false;
        Span<char> chars = stackalloc char[key.Length];
        if (!System.Text.Encoding.UTF8.TryGetChars(key, chars, out int n)) return false;
        if (!_byChars.TryGetValue(chars[..n], out var found)) return false;
        row = found;
        return true;
    }

    private static byte[] JsonStringLiteral(string s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            w.WriteStringValue(s);
        return buffer.WrittenSpan.ToArray();
    }
}
