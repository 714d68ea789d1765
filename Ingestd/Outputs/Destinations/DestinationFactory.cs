using Ingestd.Config;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// Builds the destination of a configured output. The server hands <see cref="Create"/> to the
/// <see cref="OutputSet"/>, so the output machinery never names a concrete destination (Destinations → Outputs only).
/// </summary>
internal static class DestinationFactory
{
    /// <summary>The loader already refused types outside <see cref="OutputConfig.KnownTypes"/>.</summary>
    public static IDestination Create(OutputConfig config) => config.Type switch
    {
        "http_ndjson" => new HttpNdjsonDestination(config),
        "elasticsearch" => new ElasticsearchDestination(config),
        "nats_jetstream" => CreateNats(config),
        "loki" => new LokiDestination(config),
        "otlp_http" => new OtlpHttpDestination(config),
        "splunk_hec" => new SplunkHecDestination(config),
        "clickhouse" => new ClickHouseDestination(config),
        "parquet_files" => new ParquetFilesDestination(config),
        _ => throw new ConfigException($"outputs.type: unknown destination type \"{config.Type}\" (output '{config.Name}')"),
    };

    // Its own method so the NATS assemblies are loaded only by a daemon that has such an output.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static IDestination CreateNats(OutputConfig config) => new NatsJetStreamDestination(config);
}
