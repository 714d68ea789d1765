using Ingestd.Config;
using Ingestd.Parsing.Processing;

namespace Ingestd.Processing;

/// <summary>
/// Reads an enrich lookup table from a CSV file (RFC 4180: comma-separated, a header row, fields optionally in double
/// quotes with "" for a quote). Read at load and again on every reload (SIGHUP), so an edited file takes effect then.
/// </summary>
internal static class CsvTableFile
{
    public const int MaxRows = 1_000_000;

    /// <param name="keyColumn">The column looked up; null = the first.</param>
    /// <param name="columns">The columns returned; null = every other column.</param>
    public static LookupTable Read(string path, string? keyColumn, IReadOnlyList<string>? columns)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException($"cannot read lookup file {path}: {e.Message}", e);
        }
        var rows = Parse(text, path);
        if (rows.Count == 0) throw new ConfigException($"{path}: the lookup file is empty (it needs a header row)");
        var header = rows[0];
        int key = keyColumn is null ? 0 : header.IndexOf(keyColumn);
        if (key < 0) throw new ConfigException($"{path}: no column '{keyColumn}' in the header ({string.Join(", ", header)})");
        var wanted = columns ?? header.Where((_, i) => i != key).ToList();
        var indexes = new int[wanted.Count];
        for (int i = 0; i < wanted.Count; i++)
        {
            indexes[i] = header.IndexOf(wanted[i]);
            if (indexes[i] < 0) throw new ConfigException($"{path}: no column '{wanted[i]}' in the header ({string.Join(", ", header)})");
        }
        var table = new List<KeyValuePair<string, string[]>>(rows.Count - 1);
        for (int r = 1; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Count == 1 && row[0].Length == 0) continue;
            if (row.Count != header.Count)
                throw new ConfigException($"{path}:{r + 1}: {row.Count} fields, the header has {header.Count}");
            var values = new string[indexes.Length];
            for (int i = 0; i < indexes.Length; i++) values[i] = row[indexes[i]];
            table.Add(new(row[key], values));
        }
        return new LookupTable(Path.GetFileName(path), wanted, table);
    }

    /// <summary>Rows of fields; line numbers in errors are 1-based rows.</summary>
    public static List<List<string>> Parse(string text, string path)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        int i = 0;
        bool quoted = false, fieldStarted = false;
        while (i < text.Length)
        {
            char c = text[i++];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i < text.Length && text[i] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else field.Append(c);
                continue;
            }
            switch (c)
            {
                case '"' when !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    row.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    row.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    rows.Add(row);
                    row = [];
                    if (rows.Count > MaxRows) throw new ConfigException($"{path}: more than {MaxRows} rows");
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (quoted) throw new ConfigException($"{path}:{rows.Count + 1}: unterminated quoted field");
        if (fieldStarted || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }
        return rows;
    }
}
