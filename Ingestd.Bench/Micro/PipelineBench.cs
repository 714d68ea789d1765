using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Ingestd.Config;
using Ingestd.Parsing.Processing;
using Ingestd.Parsing.Records;
using Ingestd.Processing;

namespace Ingestd.Bench.Micro;

/// <summary>
/// The processing layer (issue #12) on the 500 reference events as Drain records whose <c>message</c> holds the event's
/// text as JSON (<c>{"text":…,"user":"…@example.com"}</c>): each step alone, the pipeline (parse the JSON message,
/// mask 2 paths and the email pattern, enrich 3 fields, filter on level) and a pipeline that matches nothing (the cost of
/// having pipelines at all). Per event (<c>OperationsPerInvoke = 500</c>); steady state should allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class PipelineBench
{
    private const int N = BenchData.Events;

    private readonly PipelineRunner _runner = new();
    private RecordBatch _batch = null!, _plainBatch = null!;
    private PipelineSet _parse = null!, _mask = null!, _enrich = null!, _filter = null!, _sample = null!, _route = null!,
        _pipeline = null!, _pipelineUnfused = null!, _noMatch = null!, _probeParseEnrich = null!, _probeMaskEnrich = null!, _probeNoEmail = null!;
    private PipelineSet _maskPaths = null!, _maskEmail = null!, _setOne = null!, _nginx = null!, _nginxRegex = null!, _syslog = null!, _syslogRegex = null!;
    private RecordBatch _nginxBatch = null!, _syslogBatch = null!;
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "ingestd-pipeline-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "teams.csv"), "service,team\napi-gateway,edge\nauth-service,identity\npayment-service,payments\nuser-service,accounts\nnotification-service,messaging\n");
        _batch = Batch(ReferenceEvent.Load());
        _plainBatch = Batch(ReferenceEvent.Load(), plain: true);
        _parse = Compile("""
            type = "parse"
            field = "message"
            format = "json"
            """);
        _mask = Compile("""
            type = "mask"
            paths = ["metadata.ip", "metadata.user_id"]
            patterns = ["email"]
            """);
        _maskPaths = Compile("""
            type = "mask"
            paths = ["metadata.ip", "metadata.user_id"]
            """);
        _maskEmail = Compile("""
            type = "mask"
            patterns = ["email"]
            """);
        _setOne = Compile("""
            type = "enrich"
            set = { env = "prod" }
            """);
        _enrich = Compile("""
            type = "enrich"
            set = { env = "prod" }
            add_host = "host"
            lookup = { file = "teams.csv", key = "service", columns = ["team"] }
            """);
        _filter = Compile("""
            type = "filter"
            drop_if = "level == 'debug'"
            """);
        _sample = Compile("""
            type = "sample"
            rate = 10
            key = "metadata.user_id"
            """);
        _route = Compile("""
            type = "route"
            routes = ["store", "alerts"]
            if = "level == 'error'"
            """);
        _pipeline = Compile("""
            type = "parse"
            field = "message"
            format = "json"
            [[pipelines.steps]]
            type = "mask"
            paths = ["metadata.ip", "metadata.user_id"]
            patterns = ["email"]
            [[pipelines.steps]]
            type = "enrich"
            set = { env = "prod" }
            add_host = "host"
            lookup = { file = "teams.csv", key = "service", columns = ["team"] }
            [[pipelines.steps]]
            type = "filter"
            drop_if = "level == 'debug'"
            """);
        _pipelineUnfused = _pipeline.WithoutFusion();
        _probeParseEnrich = Compile("""
            type = "parse"
            field = "message"
            format = "json"
            [[pipelines.steps]]
            type = "enrich"
            set = { env = "prod" }
            add_host = "host"
            lookup = { file = "teams.csv", key = "service", columns = ["team"] }
            """);
        _probeMaskEnrich = Compile("""
            type = "mask"
            paths = ["metadata.ip", "metadata.user_id"]
            patterns = ["email"]
            [[pipelines.steps]]
            type = "enrich"
            set = { env = "prod" }
            add_host = "host"
            lookup = { file = "teams.csv", key = "service", columns = ["team"] }
            """);
        _probeNoEmail = Compile("""
            type = "parse"
            field = "message"
            format = "json"
            [[pipelines.steps]]
            type = "mask"
            paths = ["metadata.ip", "metadata.user_id"]
            [[pipelines.steps]]
            type = "enrich"
            set = { env = "prod" }
            add_host = "host"
            lookup = { file = "teams.csv", key = "service", columns = ["team"] }
            [[pipelines.steps]]
            type = "filter"
            drop_if = "level == 'debug'"
            """);
        _nginxBatch = Batch(ReferenceEvent.Load(), nginx: true);
        _nginx = Compile("""
            type = "parse"
            field = "message"
            format = "nginx"
            """);
        _nginxRegex = WithLineParser(_nginx, RegexLineParser.NginxCombined());
        _syslogBatch = Batch(ReferenceEvent.Load(), syslog: true);
        _syslog = Compile("""
            type = "parse"
            field = "message"
            format = "syslog"
            """);
        _syslogRegex = WithLineParser(_syslog, RegexLineParser.Syslog5424());
        _noMatch = Compile("""
            type = "filter"
            drop_if = "true"
            """, match: "match = { tenant = \"someone-else\" }");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _batch.Dispose();
        _plainBatch.Dispose();
        _nginxBatch.Dispose();
        _syslogBatch.Dispose();
        _runner.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private PipelineSet Compile(string steps, string match = "") => PipelineCompiler.Compile(ConfigLoader.Parse($$"""
        [[pipelines]]
        name = "bench"
        {{match}}
        [[pipelines.steps]]
        {{steps}}
        """, Path.Combine(_dir, "bench.conf")), hostName: "bench-host");

    /// <summary>
    /// The reference events as Drain records, each message turned into JSON text with a user's email in it; or, when
    /// <paramref name="plain"/>, with the message as it is (no email anywhere, as in most real events).
    /// </summary>
    /// <param name="nginx">The message as an nginx combined access log line made from the event's fields instead.</param>
    /// <param name="syslog">The message as an RFC 5424 syslog line made from the event's fields instead.</param>
    internal static RecordBatch Batch(List<ReferenceEvent> events, bool plain = false, bool nginx = false, bool syslog = false)
    {
        var batch = new RecordBatch();
        var options = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            string message = syslog ? $"<{i % 192}>1 2024-10-10T13:55:{i % 60:00}.003Z host{i % 5} {e.Service} {1000 + i} ID{i % 9} [meta level=\"{e.Level}\"] {e.Message}"
                : nginx ? $"10.0.{i % 256}.{i % 7 + 1} - user{i} [10/Oct/2024:13:55:{i % 60:00} +0000] \"GET /{e.Service}/{i}?level={e.Level} HTTP/1.1\" {(i % 5 == 0 ? 404 : 200)} {i * 13} \"-\" \"bench/1.0 (+https://example.com)\""
                : plain ? e.Message : JsonSerializer.Serialize(new Dictionary<string, string> { ["text"] = e.Message, ["user"] = $"user{i}@example.com" });
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer, options))
            {
                w.WriteStartObject();
                w.WriteString("project_id", e.ProjectId);
                w.WriteString("timestamp", e.Timestamp);
                w.WriteString("level", e.Level);
                w.WriteString("service", e.Service);
                w.WriteString("message", message);
                w.WritePropertyName("metadata");
                e.Metadata.WriteTo(w);
                w.WriteEndObject();
            }
            batch.Append(1_717_000_000_000_000_000, e.UnixNs, Dialect.Astralog, RecordKind.Log, Encoding.UTF8.GetBytes(e.ProjectId),
                Encoding.UTF8.GetBytes(e.Level), Encoding.UTF8.GetBytes(e.Service), Encoding.UTF8.GetBytes(e.Timestamp), buffer.WrittenSpan);
        }
        return batch;
    }

    private int Run(PipelineSet set) => Run(set, _batch);

    private int Run(PipelineSet set, RecordBatch batch)
    {
        _runner.Apply(set, batch);
        int count = _runner.Output.Count;
        Array.Clear(_runner.Tallies);
        Array.Clear(_runner.StepTicks);
        return count;
    }

    [Benchmark(OperationsPerInvoke = N)] public int Parse_json_message() => Run(_parse);
    [Benchmark(OperationsPerInvoke = N)] public int Mask_2_paths_and_email() => Run(_mask);
    [Benchmark(OperationsPerInvoke = N)] public int Mask_2_paths() => Run(_maskPaths);
    [Benchmark(OperationsPerInvoke = N)] public int Mask_2_paths_and_email_plain_events() => Run(_mask, _plainBatch);
    [Benchmark(OperationsPerInvoke = N)] public int Mask_email_plain_events() => Run(_maskEmail, _plainBatch);
    [Benchmark(OperationsPerInvoke = N)] public int Mask_email() => Run(_maskEmail);
    [Benchmark(OperationsPerInvoke = N)] public int Enrich_set_1_field() => Run(_setOne);
    [Benchmark(OperationsPerInvoke = N)] public int Enrich_3_fields() => Run(_enrich);
    [Benchmark(OperationsPerInvoke = N)] public int Filter_level() => Run(_filter);
    [Benchmark(OperationsPerInvoke = N)] public int Sample_by_key() => Run(_sample);
    [Benchmark(OperationsPerInvoke = N)] public int Route_if_error() => Run(_route);
    [Benchmark(OperationsPerInvoke = N)] public int Pipeline_parse_mask_enrich_filter() => Run(_pipeline);
    /// <summary>The same pipeline with every step making its own pass (as before fusion), to compare in one process.</summary>
    [Benchmark(OperationsPerInvoke = N)] public int Pipeline_unfused() => Run(_pipelineUnfused);
    /// <summary>Parts of the fused pipeline, to see what each costs: parse + enrich, mask + enrich, and the pipeline without the e-mail pattern.</summary>
    [Benchmark(OperationsPerInvoke = N)] public int Fused_parse_enrich() => Run(_probeParseEnrich);
    [Benchmark(OperationsPerInvoke = N)] public int Fused_mask_enrich() => Run(_probeMaskEnrich);
    [Benchmark(OperationsPerInvoke = N)] public int Fused_pipeline_without_email() => Run(_probeNoEmail);
    [Benchmark(OperationsPerInvoke = N)] public int No_pipeline_matches() => Run(_noMatch);
    /// <summary>Parse an nginx combined line (hand-written parser), and the same with the regular expression it replaced.</summary>
    [Benchmark(OperationsPerInvoke = N)] public int Parse_nginx_line() => Run(_nginx, _nginxBatch);
    [Benchmark(OperationsPerInvoke = N)] public int Parse_nginx_line_regex() => Run(_nginxRegex, _nginxBatch);
    /// <summary>Parse an RFC 5424 syslog line (hand-written parser), and the same with the regular expression it replaced.</summary>
    [Benchmark(OperationsPerInvoke = N)] public int Parse_syslog_line() => Run(_syslog, _syslogBatch);
    [Benchmark(OperationsPerInvoke = N)] public int Parse_syslog_line_regex() => Run(_syslogRegex, _syslogBatch);

    /// <summary>Reference: one Utf8JsonReader pass over each event's JSON, the floor of any step that reads the event.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int Reference_one_json_read()
    {
        int tokens = 0;
        var bytes = _batch.Bytes;
        while (RecordView.TryRead(bytes, out var record, out int length))
        {
            var reader = new Utf8JsonReader(record.Json);
            while (reader.Read()) tokens++;
            bytes = bytes[length..];
        }
        return tokens;
    }

    /// <summary>The same pass with the rewrite passes' <see cref="TrustedJsonReader"/>, which does not validate again.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public int Reference_one_trusted_read()
    {
        int tokens = 0;
        var bytes = _batch.Bytes;
        while (RecordView.TryRead(bytes, out var record, out int length))
        {
            var reader = new TrustedJsonReader(record.Json);
            while (reader.Read()) tokens++;
            bytes = bytes[length..];
        }
        return tokens;
    }

    // A one-step parse set again with another line parser (the regular expression a format used before its
    // hand-written parser), to compare both in one process.
    private static PipelineSet WithLineParser(PipelineSet set, LineParser parser) => new(set.Pipelines.Select(p => new Pipeline
    {
        Name = p.Name,
        Match = p.Match,
        Steps = [new ParseStep(Ingestd.Parsing.Conditions.FieldPath.Parse("message"), Ingestd.Parsing.Conditions.FieldPath.Parse("parsed"), parser) { Name = p.Steps[0].Name }],
    }).ToList());
}
