namespace Ingestd.Parsing.Http;

/// <summary>Bounds on the request head and chunked framing; one instance, loaded from the config, shared by all connections.</summary>
internal sealed record HttpLimits
{
    public static HttpLimits Default { get; } = new();

    /// <summary>The request line including its CRLF (and any empty lines before it, RFC 9112 §2.2). Over it: 414.</summary>
    public int MaxRequestLineBytes { get; init; } = 8192;

    /// <summary>All header field lines together, each counted with its CRLF (the final empty line is not counted). Over it: 431.</summary>
    public int MaxHeaderBytes { get; init; } = 32768;

    /// <summary>Number of header field lines. Over it: 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>Bytes of chunk extensions (everything between the chunk size and its CRLF) on one chunk-size line.</summary>
    public int MaxChunkExtensionBytes { get; init; } = 4096;

    /// <summary>All trailer field lines of a chunked body together, each counted with its CRLF.</summary>
    public int MaxTrailerBytes { get; init; } = 4096;
}
