using System.Text;

namespace Ingestd.Parsing.Conditions;

/// <summary>A record header field a path can name instead of the event JSON.</summary>
internal enum RecordField : byte
{
    /// <summary>Not a header field: the path goes into the event JSON.</summary>
    None,
    Tenant,
    Stream,
    Dialect,
    Kind,
    Service,
    Level,
}

/// <summary>
/// A field as pipelines name it: one of the record header fields (<c>tenant</c>, <c>stream</c>, <c>dialect</c>,
/// <c>kind</c>, <c>service</c>, <c>level</c>) or a dotted path into the event JSON (<c>event.card</c>,
/// <c>metadata.password</c>). <c>$.</c> in front forces a JSON path (<c>$.level</c> is the event's own
/// <c>level</c> member, not the header field). A <c>*</c> segment matches any one member name (masks only).
/// Paths start at the event's top-level object; arrays are transparent (a path reaches into each element).
/// </summary>
internal sealed class FieldPath
{
    private FieldPath(string text, RecordField header, byte[][] segments)
    {
        Text = text;
        Header = header;
        Segments = segments;
        for (int i = 0; i < segments.Length; i++)
            if (segments[i].AsSpan().SequenceEqual("*"u8)) HasWildcard = true;
    }

    /// <summary>As written in the config.</summary>
    public string Text { get; }

    public RecordField Header { get; }

    /// <summary>UTF-8 member names from the top-level object down; empty for a header field.</summary>
    public byte[][] Segments { get; }

    public bool HasWildcard { get; }

    public bool IsHeader => Header != RecordField.None;

    /// <summary>Where a <see cref="FieldLocator"/> keeps this path's value (assigned by <see cref="PathTable"/>).</summary>
    public int Slot { get; internal set; } = -1;

    /// <summary>Parses a path; null and a reason when it is not one.</summary>
    public static FieldPath? TryParse(string text, out string? problem)
    {
        problem = null;
        RecordField header = text switch
        {
            "tenant" => RecordField.Tenant,
            "stream" => RecordField.Stream,
            "dialect" => RecordField.Dialect,
            "kind" => RecordField.Kind,
            "service" => RecordField.Service,
            "level" => RecordField.Level,
            _ => RecordField.None,
        };
        if (header != RecordField.None) return new FieldPath(text, header, []);
        string json = text.StartsWith("$.", StringComparison.Ordinal) ? text[2..] : text;
        if (json.Length == 0)
        {
            problem = "empty field path";
            return null;
        }
        var parts = json.Split('.');
        var segments = new byte[parts.Length][];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0)
            {
                problem = $"field path '{text}' has an empty segment";
                return null;
            }
            if (parts[i].Contains('*') && parts[i] != "*")
            {
                problem = $"field path '{text}': '*' must be a whole segment";
                return null;
            }
            segments[i] = System.Text.Encoding.UTF8.GetBytes(parts[i]);
        }
        return new FieldPath(text, RecordField.None, segments);
    }

    public static FieldPath Parse(string text) => TryParse(text, out var problem) ?? throw new FormatException(problem);

    /// <summary>True when segment <paramref name="index"/> matches the member name <paramref name="name"/> (unescaped UTF-8).</summary>
    public bool SegmentMatches(int index, ReadOnlySpan<byte> name)
    {
        var segment = Segments[index];
        return (segment.Length == 1 && segment[0] == (byte)'*') || name.SequenceEqual(segment);
    }

    public override string ToString() => Text;
}
