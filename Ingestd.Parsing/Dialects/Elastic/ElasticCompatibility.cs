namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>
/// Elasticsearch's REST API compatibility: a client asks for the request and response format of an
/// older major version with <c>Accept</c>/<c>Content-Type: application/vnd.elasticsearch+json; compatible-with=N</c>
/// (Elasticsearch reference, "REST API compatibility"). Elasticsearch 8 serves N = 7 and 8, answers with the
/// same media type, and in 7 mode adds what 7.x wrote, e.g. <c>"_type":"_doc"</c> in bulk items.
/// </summary>
internal static class ElasticCompatibility
{
    /// <summary>The major version requested by either header (Accept first), or 0 when none is.</summary>
    public static int RequestedVersion(ReadOnlySpan<byte> accept, ReadOnlySpan<byte> contentType)
    {
        int version = FromMediaType(accept);
        return version != 0 ? version : FromMediaType(contentType);
    }

    /// <summary>The response Content-Type for <paramref name="version"/> (7 or 8).</summary>
    public static ReadOnlySpan<byte> MediaType(int version)
        => version == 7 ? "application/vnd.elasticsearch+json;compatible-with=7"u8 : "application/vnd.elasticsearch+json;compatible-with=8"u8;

    private static int FromMediaType(ReadOnlySpan<byte> value)
    {
        // Parameter names are case-insensitive (RFC 9110 §5.6.6); whitespace may surround ';'.
        var name = "compatible-with="u8;
        while (true)
        {
            int semicolon = value.IndexOf((byte)';');
            if (semicolon < 0) return 0;
            value = value[(semicolon + 1)..];
            var parameter = value.TrimStart(" \t"u8);
            if (parameter.Length <= name.Length || !System.Text.Ascii.EqualsIgnoreCase(parameter[..name.Length], name)) continue;
            var version = parameter[name.Length..];
            int end = version.IndexOfAny(" \t;,"u8);
            if (end >= 0) version = version[..end];
            return version.Length == 1 && version[0] is (byte)'7' or (byte)'8' ? version[0] - '0' : 0;
        }
    }
}
