using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Processing;
using Ingestd.Parsing.Records;

namespace Ingestd.Cli;

/// <summary>
/// <c>ingestd pipeline test</c>: runs the configured pipelines over JSON events read one per line, exactly as the daemon
/// would for records with the given header fields, and prints one JSON line per event:
/// <c>{"line","before","after"|null,"tenant","service","level","routes"?,"dropped_by"?,"steps":[{"pipeline","step","outcome"}]}</c>.
/// Lines that are not JSON are reported and skipped. Cold path: plain code.
/// </summary>
internal static class PipelineTestCommand
{
    public sealed record Fields(string Tenant, string Stream, Dialect Dialect, string Service, string Level);

    public static int Run(PipelineSet set, Fields fields, TextReader input, TextWriter output, TextWriter errors)
    {
        var labels = Labels(set);
        using var runner = new PipelineRunner();
        int lineNumber = 0, bad = 0;
        var options = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        for (string? line = input.ReadLine(); line is not null; line = input.ReadLine())
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            // The runner's rewrite passes trust the JSON they read (TrustedJsonReader: the dialects validated it); a line
            // typed by a user is validated here first, as a dialect would.
            try
            {
                using var _ = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                errors.WriteLine($"line {lineNumber}: not JSON: {e.Message}");
                bad++;
                continue;
            }
            using var batch = new RecordBatch();
            long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
            batch.Append(now, now, fields.Dialect, RecordKind.Event, U(fields.Tenant), U(fields.Level), U(fields.Service), [], U(line), U(fields.Stream));
            bool changed = runner.Apply(set, batch);
            var result = changed ? runner.Output : batch;

            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer, options))
            {
                w.WriteStartObject();
                w.WriteNumber("line", lineNumber);
                w.WritePropertyName("before");
                w.WriteRawValue(line);
                string? droppedBy = null;
                if (RecordView.TryRead(result.Bytes, out var record, out _))
                {
                    w.WritePropertyName("after");
                    w.WriteRawValue(record.Json, skipInputValidation: true);
                    w.WriteString("tenant", record.Tenant);
                    w.WriteString("service", record.Service);
                    w.WriteString("level", record.Level);
                    if (!record.Routes.IsEmpty) w.WriteString("routes", record.Routes);
                }
                else w.WriteNull("after");
                w.WriteStartArray("steps");
                for (int i = 0; i < runner.Tallies.Length; i++)
                {
                    if (runner.Tallies[i] == 0) continue;
                    var (pipeline, step, outcome) = labels[i];
                    if (outcome == "dropped") droppedBy = $"{pipeline}/{step}";
                    w.WriteStartObject();
                    w.WriteString("pipeline", pipeline);
                    w.WriteString("step", step);
                    w.WriteString("outcome", outcome);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (droppedBy is not null) w.WriteString("dropped_by", droppedBy);
                w.WriteEndObject();
            }
            Array.Clear(runner.Tallies);
            Array.Clear(runner.StepTicks);
            runner.Output.Reset();
            output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
        return bad == 0 ? 0 : 1;
    }

    /// <summary>What each tally slot of the set counts.</summary>
    private static (string Pipeline, string Step, string Outcome)[] Labels(PipelineSet set)
    {
        var labels = new (string, string, string)[set.TallyCount];
        foreach (var pipeline in set.Pipelines)
        {
            labels[pipeline.MatchedTally] = (pipeline.Name, "match", "matched");
            foreach (var step in pipeline.Steps)
                for (int o = 0; o < StepOutcomes.Count; o++)
                    labels[step.TallyBase + o] = (pipeline.Name, step.Name, StepOutcomes.Name((StepOutcome)o));
        }
        return labels;
    }

    /// <summary><c>ingestd check-config</c>: what the configuration holds, pipelines explained.</summary>
    public static void Explain(Config.IngestdConfig config, PipelineSet set, TextWriter output)
    {
        output.WriteLine($"configuration ok: {config.Tenants.Count} tenants, {set.Pipelines.Length} pipelines");
        foreach (var p in set.Pipelines)
        {
            var m = p.Match;
            var parts = new List<string>();
            void Add(string key, byte[][]? values)
            {
                if (values is not null) parts.Add($"{key} in [{string.Join(", ", values.Select(v => Encoding.UTF8.GetString(v)))}]");
            }
            Add("tenant", m.Tenants);
            if (m.Dialects is not null) parts.Add($"dialect in [{string.Join(", ", m.Dialects.Select(RecordNames.Of))}]");
            Add("stream", m.Streams);
            Add("service", m.Services);
            Add("level", m.Levels);
            output.WriteLine($"pipeline '{p.Name}': events where {(parts.Count == 0 ? "anything" : string.Join(" and ", parts))}"
                + (p.Continue ? "; then the next matching pipeline too" : "; the first match wins"));
            foreach (var step in p.Steps)
                output.WriteLine($"  {step.Name}: {step.Type}{(step.If is null ? "" : " (only where its if holds)")}");
        }
    }

    private static byte[] U(string s) => Encoding.UTF8.GetBytes(s);
}
