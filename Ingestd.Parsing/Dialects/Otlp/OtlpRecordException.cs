namespace Ingestd.Parsing.Dialects.Otlp;

/// <summary>
/// One log record, span or metric is invalid (e.g. a trace id of the wrong length). Caught per item:
/// the item is counted as rejected and its neighbours are still stored (OTLP partial success).
/// Thrown only on the cold path.
/// </summary>
internal sealed class OtlpRecordException(string problem) : Exception(problem);
