namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>The three OTLP/HTTP signals: <c>POST /v1/logs</c>, <c>/v1/traces</c>, <c>/v1/metrics</c>.</summary>
internal enum OtlpSignal : byte
{
    Logs,
    Traces,
    Metrics,
}
