namespace Ingestd.Parsing.Errors;

/// <summary>
/// Thrown from the cold side of a parser when input is refused. Carries the reason
/// (which fixes status and code) and, for content errors, a human-readable detail
/// naming what and where, e.g. <c>events[3].timestamp: not a valid timestamp</c>.
/// </summary>
internal sealed class RequestRejectedException : Exception
{
    public RequestRejectedException(RejectReason reason, string? detail = null)
        : base(detail ?? Rejection.DefaultDetail(reason))
    {
        Reason = reason;
        Detail = detail ?? Rejection.DefaultDetail(reason);
    }

    public RejectReason Reason { get; }
    public string Detail { get; }

    /// <summary>Index of the offending event within the request, when the dialect knows it.</summary>
    public int EventIndex { get; init; } = -1;

    /// <summary>Name of the offending field (JSON path below the event), when known.</summary>
    public string? Field { get; init; }

    /// <summary>For size limits: the size seen when the limit was hit (at least this many bytes), else 0.</summary>
    public long Size { get; init; }
}
