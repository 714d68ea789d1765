using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Ingestd.Bench.Workload;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Bench;

/// <summary>The committed reference workload is what the generator writes, and has the shape the benchmarks assume.</summary>
public class ReferenceWorkloadTests
{
    private static byte[] Committed(string name) => File.ReadAllBytes(ReferenceWorkload.FilePath(name));

    private static byte[] Generated(string name) => WorkloadGenerator.Files().Single(f => f.Key == name).Value;

    private static byte[] Gunzip(byte[] gz)
    {
        using var input = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static List<JsonElement> DrainEvents()
    {
        using var doc = JsonDocument.Parse(Committed(ReferenceWorkload.DrainFile));
        return doc.RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public void Workload_directory_is_inside_the_repository()
    {
        string root = ReferenceWorkload.FindRepositoryRoot(AppContext.BaseDirectory)!;
        Assert.Equal(Path.Combine(root, "Ingestd.Bench", "workload-data"), ReferenceWorkload.DirectoryPath);
        Assert.True(File.Exists(ReferenceWorkload.FilePath(ReferenceWorkload.DrainFile)));
    }

    [Theory]
    [InlineData(ReferenceWorkload.DrainFile)]
    [InlineData(ReferenceWorkload.NdjsonFile)]
    [InlineData(ReferenceWorkload.DrainJsonMessagesFile)]
    public void Committed_file_is_byte_for_byte_what_the_generator_writes_now(string name)
    {
        Assert.Equal(Generated(name), Committed(name));
    }

    [Fact]
    public void Committed_gzip_decompresses_to_what_the_generator_writes_now()
    {
        // Compare content, not the .gz bytes: another zlib build may compress the same input differently.
        Assert.Equal(Generated(ReferenceWorkload.NdjsonFile), Gunzip(Committed(ReferenceWorkload.NdjsonGzipFile)));
    }

    [Fact]
    public void Json_message_body_is_the_drain_body_with_each_message_as_json_text_holding_it_and_an_email()
    {
        using var doc = JsonDocument.Parse(Committed(ReferenceWorkload.DrainJsonMessagesFile));
        var events = doc.RootElement.GetProperty("events").EnumerateArray().ToList();
        var plain = DrainEvents();
        Assert.Equal(plain.Count, events.Count);
        for (int i = 0; i < events.Count; i++)
        {
            using var message = JsonDocument.Parse(events[i].GetProperty("message").GetString()!);
            Assert.Equal(plain[i].GetProperty("message").GetString(), message.RootElement.GetProperty("text").GetString());
            Assert.Equal($"user{i}@example.com", message.RootElement.GetProperty("user").GetString());
            foreach (string name in new[] { "project_id", "timestamp", "level", "service", "metadata" })
                Assert.Equal(plain[i].GetProperty(name).GetRawText(), events[i].GetProperty(name).GetRawText());
        }
    }

    [Fact]
    public void Bench_pipeline_is_the_issues_parse_json_mask_enrich_filter_and_applies_to_the_json_message_events()
    {
        // pipeline-drain.conf (scripts/bench-pipeline.sh, the compare's ingestd-pipeline) over the first events of
        // drain-500-jsonmsg.json: the message parsed, the two paths and every address masked, three members added.
        var set = Processing.PipelineHarness.Compile(File.ReadAllText(ReferenceWorkload.FilePath("pipeline-drain.conf")));
        using var doc = JsonDocument.Parse(Committed(ReferenceWorkload.DrainJsonMessagesFile));
        var events = doc.RootElement.GetProperty("events").EnumerateArray().Take(20).ToList();
        var results = Processing.PipelineHarness.Run(set, events.Select(e => new Processing.PipelineHarness.Input(e.GetRawText(),
            Level: e.GetProperty("level").GetString()!)).ToArray());
        Assert.Equal(events.Count(e => e.GetProperty("level").GetString() != "debug"), results.Count);
        foreach (var r in results)
        {
            using var stored = JsonDocument.Parse(r.Json);
            var e = stored.RootElement;
            Assert.StartsWith("****", e.GetProperty("parsed").GetProperty("user").GetString());
            Assert.DoesNotContain("@example.com", e.GetProperty("message").GetString());
            Assert.StartsWith("****", e.GetProperty("metadata").GetProperty("ip").GetString());
            Assert.StartsWith("****", e.GetProperty("metadata").GetProperty("user_id").GetString());
            Assert.Equal("prod", e.GetProperty("env").GetString());
            Assert.Equal("bench", e.GetProperty("pipeline").GetString());
            Assert.Equal("host-1", e.GetProperty("host").GetString());
            Assert.False(e.TryGetProperty("_parse_error", out _));
        }
    }

    [Fact]
    public void Drain_body_holds_500_events_of_about_360_bytes_each()
    {
        Assert.Equal(500, DrainEvents().Count);
        int length = Committed(ReferenceWorkload.DrainFile).Length;
        Assert.InRange(length, 165_000, 195_000);
    }

    [Fact]
    public void Ndjson_holds_the_same_500_events_as_the_drain_body()
    {
        var lines = Encoding.UTF8.GetString(Committed(ReferenceWorkload.NdjsonFile)).Split('\n');
        Assert.Equal("", lines[^1]); // every line, the last included, ends in \n
        Assert.Equal(DrainEvents().Select(e => e.GetRawText()), lines[..^1]);
    }

    [Fact]
    public void Every_event_has_the_drain_fields_and_timestamps_increase()
    {
        string? previous = null;
        foreach (var e in DrainEvents())
        {
            Assert.Equal("org-xyz", e.GetProperty("project_id").GetString());
            Assert.Contains(e.GetProperty("level").GetString(), new[] { "debug", "info", "warn", "error" });
            Assert.Matches(" request_id=[0-9a-f]{16}$", e.GetProperty("message").GetString());
            var metadata = e.GetProperty("metadata");
            Assert.Equal(["user_id", "ip", "region", "latency_ms"], metadata.EnumerateObject().Select(p => p.Name));
            // Fixed-width ISO 8601 UTC, so ordinal order is time order.
            string timestamp = e.GetProperty("timestamp").GetString()!;
            Assert.Matches(@"^2024-05-31T\d\d:\d\d:\d\d\.\d{3}Z$", timestamp);
            if (previous is not null) Assert.True(string.CompareOrdinal(previous, timestamp) < 0, $"{previous} then {timestamp}");
            previous = timestamp;
        }
    }

    [Fact]
    public void Workload_command_writes_the_three_files_into_the_out_directory()
    {
        using var dir = new TempDir("ingestd-workload");
        Assert.Equal(0, WorkloadCommand.Run(["--out", dir.Path]));
        foreach (var (name, bytes) in WorkloadGenerator.Files())
            Assert.Equal(bytes, File.ReadAllBytes(dir.File(name)));
    }

    [Theory]
    [InlineData("--frobnicate", "x")]
    [InlineData("--out")]
    [InlineData("stray")]
    public void Workload_command_refuses_bad_arguments(params string[] args)
    {
        Assert.Equal(2, WorkloadCommand.Run(args));
    }

    [Fact]
    public void SplitMix64_gives_the_reference_sequence()
    {
        // First outputs for seed 1234567 from Vigna's splitmix64.c: the generator is SplitMix64 exactly.
        var rng = new SplitMix64(1234567);
        Assert.Equal(6457827717110365317UL, rng.Next());
        Assert.Equal(3203168211198807973UL, rng.Next());
        Assert.Equal(9817491932198370423UL, rng.Next());
    }
}
