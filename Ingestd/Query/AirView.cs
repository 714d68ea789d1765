namespace Ingestd.Query;

/// <summary>Air's view of the stored records: <c>/v1/query/{type}</c> reads the Air entries of one type, whose kind it names.</summary>
internal static class AirView
{
    public static readonly string[] Types = ["logs", "metrics", "traces", "messages", "events"];

    /// <summary>Confines <paramref name="request"/> to Air entries of <paramref name="type"/>; false for an unknown type.</summary>
    public static bool TryRestrict(QueryRequest request, string type, out QueryRequest restricted)
    {
        string? kind = type switch
        {
            "logs" => "log",
            "metrics" => "metric",
            "traces" => "trace",
            "messages" => "message",
            "events" => "event",
            _ => null,
        };
        restricted = kind is null ? request : request with { Criteria = request.Criteria with { Dialects = ["air"], Kinds = [kind] } };
        return kind is not null;
    }
}
