namespace Ingestd.Parsing.Dialects.Splunk;

/// <summary>
/// A refusal in Splunk HTTP Event Collector terms: the body is <c>{"text":…,"code":…}</c> plus
/// <c>"invalid-event-number"</c> (0-based) when one event of a batch is at fault; see
/// <see cref="HecResponses.Write"/>. The factories follow Splunk's table of HEC status codes.
/// </summary>
internal sealed class HecException : Exception
{
    public HecException(int code, string text, int httpStatus, int? invalidEventNumber = null, string? detail = null)
        : base(detail is null ? text : $"{text}: {detail}")
    {
        Code = code;
        Text = text;
        HttpStatus = httpStatus;
        InvalidEventNumber = invalidEventNumber;
        Detail = detail;
    }

    /// <summary>Splunk's numeric status code (0 is success).</summary>
    public int Code { get; }

    /// <summary>Splunk's fixed text for <see cref="Code"/>.</summary>
    public string Text { get; }

    public int HttpStatus { get; }

    /// <summary>0-based index of the offending event in the request, when one is at fault.</summary>
    public int? InvalidEventNumber { get; }

    /// <summary>What exactly was wrong, for the daemon's log (Splunk's body has no room for it).</summary>
    public string? Detail { get; }

    public static HecException TokenDisabled() => new(1, "Token disabled", 403);
    public static HecException TokenRequired() => new(2, "Token is required", 401);
    public static HecException InvalidAuthorization() => new(3, "Invalid authorization", 401);
    public static HecException InvalidToken() => new(4, "Invalid token", 403);
    public static HecException NoData() => new(5, "No data", 400);
    public static HecException InvalidDataFormat(int? eventNumber, string? detail = null) => new(6, "Invalid data format", 400, eventNumber, detail);
    public static HecException IncorrectIndex(int? eventNumber = null) => new(7, "Incorrect index", 400, eventNumber);
    public static HecException InternalError() => new(8, "Internal server error", 500);
    public static HecException ServerBusy() => new(9, "Server is busy", 503);
    public static HecException DataChannelMissing() => new(10, "Data channel is missing", 400);
    public static HecException InvalidDataChannel() => new(11, "Invalid data channel", 400);
    public static HecException EventFieldRequired(int eventNumber) => new(12, "Event field is required", 400, eventNumber);
    public static HecException EventFieldBlank(int eventNumber) => new(13, "Event field cannot be blank", 400, eventNumber);
    public static HecException AckDisabled() => new(14, "ACK is disabled", 400);
    public static HecException IndexedFieldsError(int eventNumber, string? detail = null) => new(15, "Error in handling indexed fields", 400, eventNumber, detail);
    public static HecException QueryStringAuthorizationDisabled() => new(16, "Query string authorization is not enabled", 400);
}
