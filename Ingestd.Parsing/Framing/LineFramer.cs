
namespace Ingestd.Parsing.Framing;

/// <summary>
/// Enumerates the lines of a body for NDJSON and text framing, without allocating. Lines end at
/// <c>\n</c>; one trailing <c>\r</c> is stripped so CRLF bodies frame like LF bodies; the last line
/// needs no newline. Lines that are empty or hold only whitespace (SP, HT, CR) are skipped, but
/// still counted, so <see cref="LineNumber"/> is what an editor shows for the line.
/// </summary>
/// <example><code>foreach (var line in new LineFramer(body)) { … }</code> or, to see the position,
/// <code>var lines = new LineFramer(body); while (lines.MoveNext()) Use(lines.Current, lines.LineNumber, lines.Offset);</code></example>
internal ref struct LineFramer
{
    private readonly ReadOnlySpan<byte> _body;
    private int _next;           // offset of the first byte not yet framed
    private int _lineNumber;     // 1-based number of the line last framed
    private int _offset;         // offset of Current within the body
    private ReadOnlySpan<byte> _current;

    public LineFramer(ReadOnlySpan<byte> body)
    {
        _body = body;
        _next = 0;
        _lineNumber = 0;
        _offset = 0;
        _current = default;
    }

    /// <summary>The current line, without its <c>\n</c> and without one trailing <c>\r</c>.</summary>
    public readonly ReadOnlySpan<byte> Current => _current;

    /// <summary>1-based number of the current line in the body, counting skipped blank lines.</summary>
    public readonly int LineNumber => _lineNumber;

    /// <summary>Byte offset of the current line's first byte within the body.</summary>
    public readonly int Offset => _offset;

    public readonly LineFramer GetEnumerator() => this;

    /// <summary>Advances to the next non-blank line; false when the body is exhausted.</summary>
    public bool MoveNext()
    {
        while (_next < _body.Length)
        {
            int start = _next;
            var rest = _body[start..];
            int nl = rest.IndexOf((byte)'\n');
            int length = nl < 0 ? rest.Length : nl;
            _next = nl < 0 ? _body.Length : start + nl + 1;
            _lineNumber++;

            var line = rest[..length];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IndexOfAnyExcept(" \t\r"u8) < 0) continue; // empty or whitespace only

            _current = line;
            _offset = start;
            return true;
        }
        _current = default;
        return false;
    }
}
