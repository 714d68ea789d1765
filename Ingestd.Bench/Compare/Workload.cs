using System.Text;
using System.Text.Json;
using Ingestd.Bench.Workload;

namespace Ingestd.Bench.Compare;

/// <summary>One request as a given server takes it: path, headers, body coding.</summary>
internal sealed record RequestShape(string Path, string ContentType, string? ContentEncoding, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>A pre-built body, the servers that take it and how each wants it sent.</summary>
internal sealed record Workload(string Name, string Description, byte[] Body, int EventsPerRequest, IReadOnlyDictionary<BenchServer, RequestShape> Shapes)
{
    /// <summary>Requests per second in total when the workload is paced (open model, latency from intended send times); null: as fast as possible.</summary>
    public double? Rate { get; init; }

    /// <summary>Whether a second client reads through the query API while this workload is sent (<see cref="QueryLoop"/>).</summary>
    public bool QueryLoad { get; init; }

    /// <summary>For a variant of another workload (the same load plus queries): that workload's name, whose rows it is set against.</summary>
    public string? BaseName { get; init; }

    /// <summary>Closed-loop load before each run's own warm-up, for code that takes long to reach steady state; null: none.</summary>
    public TimeSpan? Prewarm { get; init; }

    /// <summary>
    /// drain-500 at a fixed request rate (600 requests/s = 300 k events/s): the latency a server gives at a load it is
    /// not saturated by, where a closed loop of 64 connections only measures its queue (Little's law).
    /// </summary>
    public static Workload Drain500Paced(Workload drain500, double rate = 600) => drain500 with
    {
        Name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"paced-{rate * drain500.EventsPerRequest / 1000:0}k"),
        Description = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"drain-500 sent at a fixed {rate:0} requests/s in total ({rate * drain500.EventsPerRequest / 1000:0} k events/s; open model, latency counted from each request's intended send time; after 8 s of saturating load so that JIT servers run tier-1 code)"),
        Rate = rate,
    };

    /// <summary>
    /// The same paced ingest against ingestd-write (and ingestd-baseline, when given) only, while <see cref="QueryLoop"/> reads it back (in a <see cref="QueryLoopProcess"/> of its own) through
    /// <c>/v1/query</c> and <c>/v1/query/stats</c> from the load generator's core: what a query costs the ingest's latency.
    /// </summary>
    public static Workload WithQueries(Workload paced) => paced with
    {
        Name = paced.Name + "+query",
        Description = $"`{paced.Name}` to ingestd-write (and ingestd-baseline with `--baseline`) while one more client (a process of its own on the load generator's core) loops queries on the same daemon, one at a time: {QueryLoop.Description}",
        // ingestd-baseline too (`--baseline`): another build under the same query load, a before/after in one run.
        Shapes = new Dictionary<BenchServer, RequestShape>
        {
            [BenchServer.IngestdWrite] = paced.Shapes[BenchServer.IngestdWrite],
            [BenchServer.IngestdBaseline] = paced.Shapes[BenchServer.IngestdBaseline],
        },
        QueryLoad = true,
        BaseName = paced.Name,
    };

    private static readonly KeyValuePair<string, string>[] Authorization = [new("Authorization", OrdinaryKestrelServer.Token)];

    private static RequestShape Drain => new("/v1/drain", "application/json", null, Authorization);

    public static Workload Drain500(string dir)
    {
        byte[] body = File.ReadAllBytes(Path.Combine(dir, ReferenceWorkload.DrainFile));
        return DrainWorkload("drain-500", $"`{ReferenceWorkload.DrainFile}`: 500 events, {Kilobytes(body)}", body, 500);
    }

    /// <summary>The first event of drain-500 alone: per-request overhead.</summary>
    public static Workload Drain1(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, ReferenceWorkload.DrainFile)));
        string first = doc.RootElement.GetProperty("events")[0].GetRawText();
        byte[] body = Encoding.UTF8.GetBytes($$"""{"events":[{{first}}]}""");
        return DrainWorkload("drain-1", $"first event of drain-500 alone, {body.Length} B", body, 1);
    }

    /// <summary>The pipeline <see cref="BenchServer.IngestdPipeline"/> runs, in the workload directory.</summary>
    public const string PipelineConfigFile = "pipeline-drain.conf";

    /// <summary>
    /// drain-500 with each message as JSON text holding an e-mail address (<see cref="ReferenceWorkload.DrainJsonMessagesFile"/>),
    /// for ingestd-write against ingestd-pipeline: the issue #12 pipeline parses that JSON, so both take the same body.
    /// Null when the workload directory lacks the file or the pipeline.
    /// </summary>
    public static Workload? Drain500JsonMessages(string dir)
    {
        string file = Path.Combine(dir, ReferenceWorkload.DrainJsonMessagesFile);
        if (!File.Exists(file) || !File.Exists(Path.Combine(dir, PipelineConfigFile))) return null;
        byte[] body = File.ReadAllBytes(file);
        return new("drain-500-jsonmsg", $"`{ReferenceWorkload.DrainJsonMessagesFile}`: drain-500 with each message as JSON text holding an e-mail address, {Kilobytes(body)}; "
            + $"ingestd-pipeline is ingestd-write with `{PipelineConfigFile}` (parse the JSON message, mask 2 paths and e-mail addresses, enrich 3 fields, drop debug)",
            body, 500, new Dictionary<BenchServer, RequestShape>
            {
                [BenchServer.IngestdWrite] = Drain,
                [BenchServer.IngestdPipeline] = Drain,
            })
        {
            // The JIT build's pipeline code took 9-12 s of 64-connection load on a shared core to reach tier 1
            // (3 s windows: 12 k, 107 k, 200 k, 246 k, 256 k events/s); both servers get the same, so the pair stays fair.
            Prewarm = TimeSpan.FromSeconds(15),
        };
    }

    private static Workload DrainWorkload(string name, string description, byte[] body, int events) =>
        new(name, description, body, events, new Dictionary<BenchServer, RequestShape>
        {
            [BenchServer.IngestdWrite] = Drain,
            [BenchServer.IngestdFsync] = Drain,
            [BenchServer.KestrelOrdinary] = Drain,
            [BenchServer.KestrelIngestd] = Drain,
            [BenchServer.Nginx] = Drain,
            [BenchServer.IngestdBaseline] = Drain,
        });

    /// <summary>The same 500 events as gzip NDJSON: ingestd's Guardian route against the ordinary server with request decompression.</summary>
    public static Workload NdjsonGzip(string dir)
    {
        byte[] body = File.ReadAllBytes(Path.Combine(dir, ReferenceWorkload.NdjsonGzipFile));
        return new("ndjson-gzip", $"`{ReferenceWorkload.NdjsonGzipFile}`: 500 events, {Kilobytes(body)} gzip", body, 500,
            new Dictionary<BenchServer, RequestShape>
            {
                [BenchServer.IngestdWrite] = new("/api/ingest", "application/x-ndjson", "gzip", [new("X-API-Key", OrdinaryKestrelServer.Token)]),
                [BenchServer.KestrelOrdinary] = new("/v1/logs/ndjson", "application/x-ndjson", "gzip", Authorization),
                [BenchServer.Nginx] = new("/v1/logs/ndjson", "application/x-ndjson", "gzip", Authorization),
            });
    }

    // The size as read, not written down: --workload may point at another set.
    private static string Kilobytes(byte[] body) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{body.Length / 1000.0:0} KB");
}
