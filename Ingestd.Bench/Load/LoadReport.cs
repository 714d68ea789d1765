using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ingestd.Bench.Load;

/// <summary>A load result as a table for people and as JSON for scripts.</summary>
internal static class LoadReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Format(LoadResult r)
    {
        var sb = new StringBuilder();
        void Row(string label, string value) => sb.Append("  ").Append(label.PadRight(18)).Append(value).Append('\n');

        Row("elapsed", r.Elapsed.TotalSeconds.ToString("0.00", Inv) + " s");
        Row("requests", $"{N(r.Requests)}  ({r.RequestsPerSecond.ToString("N1", Inv)}/s)");
        Row("2xx", N(r.Ok2xx));
        if (r.NonSuccessByStatus.Count > 0)
            Row("non-2xx", string.Join(", ", r.NonSuccessByStatus.OrderBy(p => p.Key).Select(p => $"{p.Key}: {N(p.Value)}")));
        Row("errors", N(r.Errors) + "  (socket errors, early closes, timeouts)");
        Row("events/s", $"{r.EventsPerSecond.ToString("N0", Inv)}  ({N(r.EventsPerRequest)} per request, 2xx only)");
        Row("body", r.BodyMBPerSecond.ToString("N1", Inv) + " MB/s");
        Row("latency ms", $"p50 {Ms(r.P50Ms)}  p90 {Ms(r.P90Ms)}  p99 {Ms(r.P99Ms)}  p99.9 {Ms(r.P999Ms)}");
        Row("", $"max {Ms(r.MaxMs)}  mean {Ms(r.MeanMs)}");
        Row("server CPU", r.ServerCpuSeconds is double cpu
            ? $"{cpu.ToString("0.00", Inv)} s  ({(r.Elapsed.TotalSeconds > 0 ? cpu / r.Elapsed.TotalSeconds : 0).ToString("0.00", Inv)} cores)"
            : "unknown (no server PID, or /proc not readable)");
        if (r.EventsPerCpuSecond is double perCpu) Row("events/CPU-s", perCpu.ToString("N0", Inv));
        if (r.ServerPeakRssBytes is long rss) Row("server peak RSS", (rss / (1024.0 * 1024.0)).ToString("N1", Inv) + " MiB");
        return sb.ToString();
    }

    public static string ToJson(LoadResult r)
    {
        var output = new MemoryStream();
        using (var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("requests", r.Requests);
            w.WriteNumber("ok_2xx", r.Ok2xx);
            w.WriteStartObject("non_success_by_status");
            foreach (var (status, count) in r.NonSuccessByStatus.OrderBy(p => p.Key)) w.WriteNumber(status.ToString(Inv), count);
            w.WriteEndObject();
            w.WriteNumber("errors", r.Errors);
            w.WriteNumber("elapsed_seconds", r.Elapsed.TotalSeconds);
            w.WriteNumber("requests_per_second", r.RequestsPerSecond);
            w.WriteNumber("events_per_second", r.EventsPerSecond);
            w.WriteNumber("body_mb_per_second", r.BodyMBPerSecond);
            w.WriteNumber("events_per_request", r.EventsPerRequest);
            w.WriteStartObject("latency_ms");
            w.WriteNumber("p50", r.P50Ms);
            w.WriteNumber("p90", r.P90Ms);
            w.WriteNumber("p99", r.P99Ms);
            w.WriteNumber("p99_9", r.P999Ms);
            w.WriteNumber("max", r.MaxMs);
            w.WriteNumber("mean", r.MeanMs);
            w.WriteEndObject();
            WriteNullable(w, "server_cpu_seconds", r.ServerCpuSeconds);
            WriteNullable(w, "events_per_cpu_second", r.EventsPerCpuSecond);
            if (r.ServerPeakRssBytes is long rss) w.WriteNumber("server_peak_rss_bytes", rss);
            else w.WriteNull("server_peak_rss_bytes");
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is double v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static string N(long value) => value.ToString("N0", Inv);

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.000" : "0.0", Inv);
}
