using System.Text;
using Ingestd.Config;
using Ingestd.Parsing.Processing;
using Ingestd.Parsing.Records;
using Ingestd.Processing;

namespace Ingestd.Tests.Processing;

/// <summary>Compiles pipelines from config text and runs them over records, as the daemon does per request.</summary>
internal static class PipelineHarness
{
    public sealed record Result(string Json, string Tenant, string Service, string Level, string Routes);

    public sealed record Input(string Json, string Level = "info", string Service = "api", string Tenant = "org-xyz",
        Dialect Dialect = Dialect.Astralog, string Stream = "");

    public static PipelineSet Compile(string toml, string? directory = null)
        => PipelineCompiler.Compile(ConfigLoader.Parse(toml, Path.Combine(directory ?? Path.GetTempPath(), "ingestd-test.conf")), hostName: "host-1");

    public static List<Result> Run(string toml, params string[] jsons) => Run(Compile(toml), jsons.Select(j => new Input(j)).ToArray());

    public static List<Result> Run(PipelineSet set, params Input[] inputs)
    {
        using var batch = Batch(inputs);
        using var runner = new PipelineRunner();
        if (runner.Apply(set, batch)) batch.SwapWith(runner.Output);
        return Records(batch);
    }

    public static RecordBatch Batch(params Input[] inputs)
    {
        var batch = new RecordBatch();
        foreach (var i in inputs)
            batch.Append(1_700_000_000_123_456_789, 1_700_000_000_000_000_000, i.Dialect, RecordKind.Log, U(i.Tenant), U(i.Level), U(i.Service),
                U("2023-11-14T22:13:20Z"), U(i.Json), U(i.Stream));
        return batch;
    }

    public static List<Result> Records(RecordBatch batch)
    {
        var list = new List<Result>();
        var bytes = batch.Bytes;
        while (RecordView.TryRead(bytes, out var v, out int length))
        {
            list.Add(new Result(S(v.Json), S(v.Tenant), S(v.Service), S(v.Level), S(v.Routes)));
            bytes = bytes[length..];
        }
        return list;
    }

    public static string One(string toml, string json) => Assert.Single(Run(toml, json)).Json;

    public static byte[] U(string s) => Encoding.UTF8.GetBytes(s);

    public static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);
}
