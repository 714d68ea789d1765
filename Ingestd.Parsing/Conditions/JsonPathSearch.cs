using System.Text.Json;

namespace Ingestd.Parsing.Conditions;

/// <summary>Finds the value at a path in an event's JSON with one forward read, descending only into members on the path.</summary>
internal static class JsonPathSearch
{
    /// <summary>
    /// The first value at <paramref name="path"/> (no wildcards): where its JSON text starts and how long it is,
    /// and what it is. Arrays on the way are searched element by element. False when absent or the JSON is not an object.
    /// </summary>
    public static bool TryFind(ReadOnlySpan<byte> json, FieldPath path, out int start, out int length, out JsonTokenType type)
    {
        start = length = 0;
        type = JsonTokenType.None;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            return Search(ref reader, json, path, 0, out start, out length, out type);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // The reader is on the StartObject of an object at path depth `matched`.
    private static bool Search(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, FieldPath path, int matched,
        out int start, out int length, out JsonTokenType type)
    {
        start = length = 0;
        type = JsonTokenType.None;
        var segments = path.Segments;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject) return false;
            bool hit = reader.ValueTextEquals(segments[matched]);
            reader.Read();
            if (!hit)
            {
                reader.Skip();
                continue;
            }
            if (matched + 1 == segments.Length)
            {
                type = reader.TokenType;
                start = (int)reader.TokenStartIndex;
                reader.Skip();
                length = (int)reader.BytesConsumed - start;
                return true;
            }
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (Search(ref reader, json, path, matched + 1, out start, out length, out type)) return true;
                // Search stopped at the inner EndObject; go on with this object's members (a repeated name).
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                if (SearchArray(ref reader, json, path, matched + 1, out start, out length, out type)) return true;
            }
            else
            {
                reader.Skip();
            }
        }
        return false;
    }

    private static bool SearchArray(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, FieldPath path, int matched,
        out int start, out int length, out JsonTokenType type)
    {
        start = length = 0;
        type = JsonTokenType.None;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndArray:
                    return false;
                case JsonTokenType.StartObject:
                    if (Search(ref reader, json, path, matched, out start, out length, out type)) return true;
                    break;
                case JsonTokenType.StartArray:
                    if (SearchArray(ref reader, json, path, matched, out start, out length, out type)) return true;
                    break;
            }
        }
        return false;
    }
}
