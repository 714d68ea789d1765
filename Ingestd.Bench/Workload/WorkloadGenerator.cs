using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Ingestd.Bench.Workload;

/// <summary>
/// Writes the reference workload: 500 Astralog drain events of one tenant, with levels, services,
/// regions and message words drawn from small lists and timestamps about a second apart, as one
/// <c>/v1/drain</c> body, as NDJSON and as gzip NDJSON. Deterministic: a fixed seed and
/// <see cref="SplitMix64"/>, invariant formatting, JSON written by hand (nothing in it needs escaping),
/// so the committed files can be checked against a fresh run.
/// </summary>
internal static class WorkloadGenerator
{
    public const ulong Seed = 20240531;
    public const int EventCount = 500;

    // Weighted by repetition: about half info, the rest error, warn and debug, as a busy service logs.
    private static readonly string[] Levels =
    [
        "info", "info", "info", "info", "info", "info", "info", "info", "info", "info",
        "error", "error", "error", "error", "warn", "warn", "warn", "debug", "debug", "debug",
    ];

    private static readonly string[] Services =
        ["auth-service", "api-gateway", "billing-service", "payments-app", "search-indexer", "notification-worker"];

    private static readonly string[] Regions = ["us-east-1", "eu-west-1", "ap-south-1"];

    private static readonly string[] Words =
    [
        "request", "user", "session", "token", "refreshed", "expired", "payment", "approved", "declined",
        "cache", "miss", "hit", "query", "slow", "timeout", "retry", "upstream", "queue", "backlog", "index", "rebuilt",
    ];

    private static readonly DateTime Start = new(2024, 5, 31, 15, 0, 0, DateTimeKind.Utc);

    /// <summary>The events as compact JSON objects, in timestamp order.</summary>
    /// <param name="jsonMessages">
    /// Each message as the text of a JSON object holding the words and a user's e-mail address
    /// (<c>{"text":"…","user":"user7@example.com"}</c>), as a service that logs JSON lines sends it: the events the
    /// issue #12 pipeline (parse the JSON message, mask, enrich, filter) is measured on end to end (the
    /// events <c>PipelineBench</c> builds in memory). The same draws, so the other fields are those of the plain events.
    /// </param>
    public static IReadOnlyList<string> Events(int count = EventCount, ulong seed = Seed, bool jsonMessages = false)
    {
        var rng = new SplitMix64(seed);
        var events = new List<string>(count);
        var sb = new StringBuilder(512);
        var time = Start.AddMilliseconds(rng.Below(1000));
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            sb.Append("{\"project_id\":\"org-xyz\",\"timestamp\":\"")
              .Append(time.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
              .Append("\",\"level\":\"").Append(rng.Pick(Levels))
              .Append("\",\"service\":\"").Append(rng.Pick(Services))
              .Append("\",\"message\":\"");
            if (jsonMessages) sb.Append("{\\\"text\\\":\\\"");
            // 8–28 words: messages from a short line to a long one, ~360 bytes per event on average.
            int words = rng.Between(8, 28);
            for (int w = 0; w < words; w++) sb.Append(rng.Pick(Words)).Append(' ');
            sb.Append("request_id=").Append(rng.Next().ToString("x16", CultureInfo.InvariantCulture));
            // Nothing in the words needs escaping: only the inner quotes do, as \".
            if (jsonMessages) sb.Append("\\\",\\\"user\\\":\\\"user").Append(i.ToString(CultureInfo.InvariantCulture)).Append("@example.com\\\"}");
            sb.Append("\",\"metadata\":{\"user_id\":").Append(rng.Between(1, 99_999).ToString(CultureInfo.InvariantCulture))
              .Append(",\"ip\":\"10.0.").Append(rng.Below(256).ToString(CultureInfo.InvariantCulture))
              .Append('.').Append(rng.Between(1, 254).ToString(CultureInfo.InvariantCulture))
              .Append("\",\"region\":\"").Append(rng.Pick(Regions))
              .Append("\",\"latency_ms\":").Append(rng.Between(1, 899).ToString(CultureInfo.InvariantCulture))
              .Append("}}");
            events.Add(sb.ToString());
            // Strictly increasing, about one event a second: 500 events span some eight minutes.
            time = time.AddMilliseconds(rng.Between(1, 1999));
        }
        return events;
    }

    /// <summary><c>{"events":[e1,e2,…]}</c>, no whitespace.</summary>
    public static byte[] DrainBody(IReadOnlyList<string> events) =>
        Encoding.UTF8.GetBytes("{\"events\":[" + string.Join(',', events) + "]}");

    /// <summary>One event per line, each line ending in <c>\n</c>.</summary>
    public static byte[] Ndjson(IReadOnlyList<string> events) =>
        Encoding.UTF8.GetBytes(string.Concat(events.Select(e => e + "\n")));

    /// <summary>gzip at <see cref="CompressionLevel.Optimal"/>, the level clients usually send; fixed so reruns match on one runtime.</summary>
    public static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>Every file of the workload directory, by name.</summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> Files()
    {
        var events = Events();
        byte[] ndjson = Ndjson(events);
        return
        [
            new(ReferenceWorkload.DrainFile, DrainBody(events)),
            new(ReferenceWorkload.NdjsonFile, ndjson),
            new(ReferenceWorkload.NdjsonGzipFile, Gzip(ndjson)),
            new(ReferenceWorkload.DrainJsonMessagesFile, DrainBody(Events(jsonMessages: true))),
        ];
    }

    /// <summary>Writes <see cref="Files"/> into <paramref name="directory"/> (created if missing); returns the paths written.</summary>
    public static IReadOnlyList<string> WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var (name, bytes) in Files())
        {
            string path = Path.Combine(directory, name);
            File.WriteAllBytes(path, bytes);
            written.Add(path);
        }
        return written;
    }
}
