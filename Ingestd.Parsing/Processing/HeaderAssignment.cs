using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>An enrich <c>set</c> of a record header field (<c>tenant</c>, <c>service</c> or <c>level</c>) to a fixed text.</summary>
internal sealed record HeaderAssignment(RecordField Field, byte[] Value);
