namespace Ingestd.Parsing.Http;

/// <summary>The request methods the daemon can name. Any other valid token parses as <see cref="Unknown"/> (routing answers 501, RFC 9110 §15.6.2).</summary>
internal enum HttpMethod : byte
{
    Unknown = 0,
    Get,
    Head,
    Post,
    Put,
    Delete,
    Options,
    Patch,
    Connect,
    Trace,
}
