namespace Ingestd.Parsing.Dialects.Splunk;

/// <summary>
/// Event metadata that applies when an event does not carry its own: from the query string
/// (<c>?host=&amp;source=&amp;sourcetype=&amp;index=</c>, as Splunk's raw endpoint takes them) or from the token's configuration.
/// </summary>
internal sealed record HecDefaults(string? Host, string? Source, string? SourceType, string? Index)
{
    public static readonly HecDefaults None = new(null, null, null, null);
}
