namespace Ingestd.Parsing.Dialects.Air;

/// <summary>One entry Air refused while storing its neighbours: its index in <c>entries</c> and why (<c>"name: required"</c>).</summary>
internal readonly record struct AirRejection(int Index, string Reason);
