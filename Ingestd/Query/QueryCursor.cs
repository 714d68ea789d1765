using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Ingestd.Storage.Index;

namespace Ingestd.Query;

/// <summary>
/// Where the next page of a query starts: a segment (its first sequence, the file's name), the offset of a block in it,
/// and the sequence bound within that block (ascending: records at or after it; descending: at or before it). Stored
/// records never move, so a cursor stays valid while new ones are written; a segment retention deleted meanwhile is
/// stepped over. <see cref="Filters"/> is the fingerprint of the query that made it (<see cref="QueryParameters"/>): a
/// cursor continues that query only. Opaque to clients: base64url of <c>a|d.segment.offset.bound.filters.check</c>,
/// where the check, a hash of the rest, turns an edited or cut cursor into a clear refusal instead of a scan from a
/// made-up offset. It is not a secret: a forged cursor still reads only what the query's own filters let through.
/// </summary>
internal readonly record struct QueryCursor(bool Descending, long Segment, long BlockOffset, long Bound, ulong Filters)
{
    public const string NotOurs = "not a cursor this server returned (copy next_cursor as it is)";

    public string Encode()
    {
        string text = Body();
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{text}.{Check(text):x16}")));
    }

    private string Body() => string.Create(CultureInfo.InvariantCulture, $"{(Descending ? 'd' : 'a')}.{Segment}.{BlockOffset}.{Bound}.{Filters:x16}");

    private static ulong Check(string body) => FieldHash.Of(Encoding.ASCII.GetBytes(body));

    /// <summary>Reads a cursor; false with the reason when it is not one this daemon made.</summary>
    public static bool TryDecode(string value, out QueryCursor cursor, out string problem)
    {
        cursor = default;
        problem = NotOurs;
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
        string text = Encoding.ASCII.GetString(bytes);
        var parts = text.Split('.');
        if (parts.Length != 6 || parts[0] is not ("a" or "d")) return false;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long segment)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long offset)
            || !long.TryParse(parts[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long bound)
            || !ulong.TryParse(parts[4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong filters)
            || !ulong.TryParse(parts[5], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong check))
            return false;
        var decoded = new QueryCursor(parts[0] == "d", segment, offset, bound, filters);
        if (Check(decoded.Body()) != check) return false;
        cursor = decoded;
        return true;
    }
}
