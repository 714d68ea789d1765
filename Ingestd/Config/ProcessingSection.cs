namespace Ingestd.Config;

/// <summary>
/// The <c>[processing]</c> table and the <c>[[pipelines]]</c> of a config file, kept as resolved TOML: Ingestd/Processing
/// maps and compiles them (its own model; Config depends on no other folder), naming this file and the lines in errors.
/// </summary>
internal sealed record ProcessingSection(string SourceName, TomlTableNode? Settings, TomlArrayNode? Pipelines)
{
    /// <summary>Relative lookup files are found from here: the config file's directory.</summary>
    public string BaseDirectory => Path.GetDirectoryName(Path.GetFullPath(SourceName)) ?? ".";
}
