namespace Ingestd.Parsing.Dialects.Air;

internal static class AirEntryTypes
{
    /// <summary>Maps the path segment after <c>/v1/ingest/</c> to its type; only the exact lower-case names match.</summary>
    public static bool TryParse(ReadOnlySpan<byte> pathSegment, out AirEntryType type)
    {
        if (pathSegment.SequenceEqual("messages"u8)) type = AirEntryType.Messages;
        else if (pathSegment.SequenceEqual("events"u8)) type = AirEntryType.Events;
        else if (pathSegment.SequenceEqual("logs"u8)) type = AirEntryType.Logs;
        else if (pathSegment.SequenceEqual("metrics"u8)) type = AirEntryType.Metrics;
        else if (pathSegment.SequenceEqual("traces"u8)) type = AirEntryType.Traces;
        else
        {
            type = default;
            return false;
        }
        return true;
    }
}
