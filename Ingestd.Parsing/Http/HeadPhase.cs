namespace Ingestd.Parsing.Http;

/// <summary>Where <see cref="HttpRequestParser"/> stands within a head.</summary>
internal enum HeadPhase : byte
{
    RequestLine,
    Headers,
    Complete,
}
