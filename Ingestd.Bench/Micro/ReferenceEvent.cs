using System.Text.Json;

namespace Ingestd.Bench.Micro;

/// <summary>One of the 500 reference events, taken apart so each dialect's body can be built from it.</summary>
internal sealed record ReferenceEvent(string ProjectId, string Timestamp, long UnixNs, string Level, string Service,
    string Message, JsonElement Metadata, string Line)
{
    /// <summary>The events of <c>ndjson-500.ndjson</c>, in order.</summary>
    public static List<ReferenceEvent> Load()
    {
        var events = new List<ReferenceEvent>(BenchData.Events);
        foreach (var line in System.Text.Encoding.UTF8.GetString(BenchData.Ndjson500).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var e = JsonDocument.Parse(line).RootElement;
            string ts = e.GetProperty("timestamp").GetString()!;
            long ns = (DateTimeOffset.Parse(ts, System.Globalization.CultureInfo.InvariantCulture).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
            events.Add(new ReferenceEvent(e.GetProperty("project_id").GetString()!, ts, ns, e.GetProperty("level").GetString()!,
                e.GetProperty("service").GetString()!, e.GetProperty("message").GetString()!, e.GetProperty("metadata").Clone(), line));
        }
        if (events.Count != BenchData.Events) throw new InvalidDataException($"ndjson-500.ndjson holds {events.Count} events");
        return events;
    }
}
