namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// What an OTLP export request came to, for <c>Export*ServiceResponse.partial_success</c>.
/// <see cref="Accepted"/> counts stored records (log records, spans, metrics); <see cref="Rejected"/> counts
/// what OTLP counts (log records, spans, data points); <see cref="ErrorMessage"/> is the first rejection's reason.
/// </summary>
internal readonly record struct OtlpResult(int Accepted, int Rejected, string? ErrorMessage);
