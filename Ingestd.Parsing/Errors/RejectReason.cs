namespace Ingestd.Parsing.Errors;

/// <summary>
/// Every way a request can be refused, from the socket up to the dialect.
/// <see cref="Rejection"/> maps each to its status code and error code in one place.
/// </summary>
internal enum RejectReason : byte
{
    None = 0,

    // HTTP framing (400, connection closed: the byte stream can no longer be trusted)
    InvalidRequestLine,
    InvalidMethod,
    InvalidRequestTarget,
    UnsupportedHttpVersion,
    InvalidHeader,
    HeaderWhitespaceBeforeColon,
    ObsoleteLineFolding,
    BareCarriageReturn,
    InvalidContentLength,
    ConflictingContentLength,
    ContentLengthWithTransferEncoding,
    UnsupportedTransferEncoding,
    InvalidChunkSize,
    ChunkSizeOverflow,
    InvalidChunkTerminator,
    MissingHost,
    InvalidHost,
    ConflictingContentType,
    LengthRequired,

    // Limits
    RequestLineTooLong,          // 414
    HeadersTooLarge,             // 431
    TooManyHeaders,              // 431
    BodyTooLarge,                // 413
    DecodedBodyTooLarge,         // 413
    HeaderTimeout,               // 408
    BodyTimeout,                 // 408

    // Content
    UnsupportedContentEncoding,  // 415
    InvalidEncodedBody,          // 400
    UnsupportedMediaType,        // 415
    InvalidJson,                 // 400
    InvalidEvent,                // 400

    // Routing and auth
    NotFound,                    // 404
    MethodNotAllowed,            // 405
    NotImplemented,              // 501 (a method the server does not recognise)
    Unauthorized,                // 401
    Forbidden,                   // 403

    // Capacity and state
    Backpressure,                // 429 (the ring is full)
    RateLimited,                 // 429 (the client's token bucket is empty)
    Conflict,                    // 409 (e.g. an Idempotency-Key still in progress)
    ShuttingDown,                // 503
    InsufficientStorage,         // 507 (the disk holding the data is full; resumes by itself)
    StorageUnavailable,          // 503 (the events could not be written)
    InternalError,               // 500 (a defect; costs this request only)
}
