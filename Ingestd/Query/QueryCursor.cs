using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Ingestd.Query;

/// <summary>
/// Where the next page of a query starts: a segment (its first sequence, the file's name), the offset of a block in it,
/// and the sequence bound within that block (ascending: records at or after it; descending: at or before it). Stored
/// records never move, so a cursor stays valid while new ones are written; a segment retention deleted meanwhile is
/// stepped over. Opaque to clients: base64url of <c>a|d.segment.offset.bound</c>.
/// </summary>
internal readonly record struct QueryCursor(bool Descending, long Segment, long BlockOffset, long Bound)
{
    public string Encode()
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{(Descending ? 'd' : 'a')}.{Segment}.{BlockOffset}.{Bound}");
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>Reads a cursor; false with the reason when it is not one this daemon made.</summary>
    public static bool TryDecode(string value, out QueryCursor cursor, out string problem)
    {
        cursor = default;
        problem = "not a cursor this server returned (copy next_cursor as it is)";
        if (value.Length is 0 or > 200) return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(value);
        }
        catch (FormatException)
        {
            return false;
        }
        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        if (parts.Length != 4 || parts[0] is not ("a" or "d")) return false;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long segment)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long offset)
            || !long.TryParse(parts[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long bound))
            return false;
        cursor = new QueryCursor(parts[0] == "d", segment, offset, bound);
        return true;
    }
}
