namespace Ingestd.Query;

/// <summary>A query parameter is wrong: <see cref="Parameter"/> names it, the message says why (400 for the client).</summary>
internal sealed class QueryParameterException(string parameter, string problem, int? column = null) : Exception($"{parameter}: {problem}")
{
    public string Parameter { get; } = parameter;
    public string Problem { get; } = problem;
    /// <summary>For <c>where</c>: the 1-based column of the condition where parsing failed.</summary>
    public int? Column { get; } = column;
}

/// <summary>The credential may not read what the query asks for (403): another tenant's records.</summary>
internal sealed class QueryForbiddenException(string message) : Exception(message);
