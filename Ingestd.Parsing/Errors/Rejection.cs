using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Ingestd.Parsing.Errors;

/// <summary>The one table from <see cref="RejectReason"/> to status code, error code and default detail.</summary>
internal static class Rejection
{
    public static int StatusCode(RejectReason reason) => reason switch
    {
        RejectReason.RequestLineTooLong => 414,
        RejectReason.HeadersTooLarge or RejectReason.TooManyHeaders => 431,
        RejectReason.BodyTooLarge or RejectReason.DecodedBodyTooLarge => 413,
        RejectReason.HeaderTimeout or RejectReason.BodyTimeout => 408,
        RejectReason.UnsupportedContentEncoding or RejectReason.UnsupportedMediaType => 415,
        
        RejectReason.LengthRequired => 411,
        RejectReason.UnsupportedHttpVersion => 505,
        RejectReason.NotFound => 404,
        RejectReason.MethodNotAllowed => 405,
        RejectReason.NotImplemented => 501,
        RejectReason.Unauthorized => 401,
        RejectReason.Forbidden => 403,
        RejectReason.Backpressure or RejectReason.RateLimited => 429,
        RejectReason.Conflict => 409,
        RejectReason.ShuttingDown or RejectReason.StorageUnavailable => 503,
        // RFC 4918 §11.5: the server cannot store the representation.
        RejectReason.InsufficientStorage => 507,
        RejectReason.InternalError => 500,
        _ => 400,
    };

    /// <summary>The machine-readable code placed in the JSON error body.</summary>
    public static string Code(RejectReason reason) => reason switch
    {
        RejectReason.InvalidRequestLine => "invalid_request_line",
        RejectReason.InvalidMethod => "invalid_method",
        RejectReason.InvalidRequestTarget => "invalid_request_target",
        RejectReason.UnsupportedHttpVersion => "unsupported_http_version",
        RejectReason.InvalidHeader => "invalid_header",
        RejectReason.HeaderWhitespaceBeforeColon => "invalid_header",
        RejectReason.ObsoleteLineFolding => "obsolete_line_folding",
        RejectReason.BareCarriageReturn => "bare_cr",
        RejectReason.InvalidContentLength => "invalid_content_length",
        RejectReason.ConflictingContentLength => "conflicting_content_length",
        RejectReason.ContentLengthWithTransferEncoding => "content_length_with_transfer_encoding",
        RejectReason.UnsupportedTransferEncoding => "unsupported_transfer_encoding",
        RejectReason.InvalidChunkSize => "invalid_chunk_size",
        RejectReason.ChunkSizeOverflow => "chunk_size_overflow",
        RejectReason.InvalidChunkTerminator => "invalid_chunk",
        RejectReason.MissingHost => "missing_host",
        RejectReason.InvalidHost => "invalid_host",
        RejectReason.ConflictingContentType => "conflicting_content_type",
        RejectReason.LengthRequired => "length_required",
        RejectReason.RequestLineTooLong => "request_line_too_long",
        RejectReason.HeadersTooLarge => "headers_too_large",
        RejectReason.TooManyHeaders => "too_many_headers",
        RejectReason.BodyTooLarge => "body_too_large",
        RejectReason.DecodedBodyTooLarge => "decoded_body_too_large",
        RejectReason.HeaderTimeout or RejectReason.BodyTimeout => "request_timeout",
        RejectReason.UnsupportedContentEncoding => "unsupported_content_encoding",
        RejectReason.InvalidEncodedBody => "invalid_encoded_body",
        RejectReason.UnsupportedMediaType => "unsupported_media_type",
        RejectReason.InvalidJson => "invalid_json",
        RejectReason.InvalidEvent => "invalid_event",
        RejectReason.NotFound => "not_found",
        RejectReason.MethodNotAllowed => "method_not_allowed",
        RejectReason.NotImplemented => "not_implemented",
        RejectReason.Unauthorized => "unauthorized",
        RejectReason.Forbidden => "forbidden",
        RejectReason.Backpressure => "backpressure_triggered",
        RejectReason.RateLimited => "rate_limited",
        RejectReason.Conflict => "conflict",
        RejectReason.ShuttingDown => "shutting_down",
        RejectReason.InsufficientStorage => "insufficient_storage",
        RejectReason.StorageUnavailable => "storage_error",
        RejectReason.InternalError => "internal_error",
        _ => "bad_request",
    };

    public static string DefaultDetail(RejectReason reason) => reason switch
    {
        RejectReason.InvalidRequestLine => "malformed request line",
        RejectReason.InvalidMethod => "malformed method",
        RejectReason.InvalidRequestTarget => "malformed request target",
        RejectReason.UnsupportedHttpVersion => "only HTTP/1.0 and HTTP/1.1 are supported",
        RejectReason.InvalidHeader => "malformed header field",
        RejectReason.HeaderWhitespaceBeforeColon => "whitespace between header name and colon (RFC 9112 §5.1)",
        RejectReason.ObsoleteLineFolding => "obsolete line folding is not accepted (RFC 9112 §5.2)",
        RejectReason.BareCarriageReturn => "bare CR in the message (RFC 9112 §2.2)",
        RejectReason.InvalidContentLength => "Content-Length is not a valid non-negative integer",
        RejectReason.ConflictingContentLength => "differing Content-Length values",
        RejectReason.ContentLengthWithTransferEncoding => "both Content-Length and Transfer-Encoding are present (RFC 9112 §6.1)",
        RejectReason.UnsupportedTransferEncoding => "only the chunked transfer coding is supported",
        RejectReason.InvalidChunkSize => "malformed chunk size",
        RejectReason.ChunkSizeOverflow => "chunk size too large",
        RejectReason.InvalidChunkTerminator => "chunk data not followed by CRLF",
        RejectReason.MissingHost => "HTTP/1.1 request without Host header",
        RejectReason.InvalidHost => "Host is not uri-host [ \":\" port ] (RFC 9112 §3.2, RFC 3986 §3.2.2)",
        RejectReason.ConflictingContentType => "differing Content-Type fields (RFC 9110 §8.3)",
        RejectReason.LengthRequired => "a request body needs Content-Length or chunked Transfer-Encoding",
        RejectReason.RequestLineTooLong => "request line exceeds the limit",
        RejectReason.HeadersTooLarge => "request header fields exceed the size limit",
        RejectReason.TooManyHeaders => "too many request header fields",
        RejectReason.BodyTooLarge => "request body exceeds the limit",
        RejectReason.DecodedBodyTooLarge => "decoded request body exceeds the limit",
        RejectReason.HeaderTimeout => "request headers not received in time",
        RejectReason.BodyTimeout => "request body not received in time",
        RejectReason.UnsupportedContentEncoding => "unsupported Content-Encoding (use identity, gzip, deflate, br or zstd)",
        RejectReason.InvalidEncodedBody => "request body could not be decoded with its Content-Encoding",
        RejectReason.UnsupportedMediaType => "unsupported Content-Type",
        RejectReason.InvalidJson => "request body is not valid JSON",
        RejectReason.InvalidEvent => "invalid event",
        RejectReason.NotFound => "no such endpoint",
        RejectReason.MethodNotAllowed => "method not allowed on this endpoint",
        RejectReason.NotImplemented => "method not implemented by this server (RFC 9110 §15.6.2)",
        RejectReason.Unauthorized => "missing or invalid credentials",
        RejectReason.Forbidden => "credentials not valid for this resource",
        RejectReason.Backpressure => "server saturated",
        RejectReason.RateLimited => "too many requests",
        RejectReason.Conflict => "conflicting request in progress",
        RejectReason.ShuttingDown => "server is shutting down",
        RejectReason.InsufficientStorage => "the disk holding the data directory is full; the events were not stored; retry later",
        RejectReason.StorageUnavailable => "the events could not be written to disk; retry later",
        RejectReason.InternalError => "the request could not be processed",
        _ => "bad request",
    };

    /// <summary>Framing errors leave the byte stream in an unknown state: answer, then close.</summary>
    public static bool ClosesConnection(RejectReason reason) => reason switch
    {
        RejectReason.NotFound or RejectReason.MethodNotAllowed or RejectReason.NotImplemented or RejectReason.Unauthorized or RejectReason.Forbidden
            or RejectReason.Backpressure or RejectReason.RateLimited or RejectReason.Conflict or RejectReason.InvalidJson or RejectReason.InvalidEvent
            or RejectReason.UnsupportedMediaType or RejectReason.InvalidEncodedBody
            or RejectReason.UnsupportedContentEncoding or RejectReason.DecodedBodyTooLarge
            or RejectReason.InsufficientStorage or RejectReason.StorageUnavailable => false,
        _ => true,
    };

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(RejectReason reason) => throw new RequestRejectedException(reason);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Throw(RejectReason reason, string detail) => throw new RequestRejectedException(reason, detail);
}
