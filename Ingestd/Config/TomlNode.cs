using Tomlyn.Syntax;

namespace Ingestd.Config;

/// <summary>
/// A resolved TOML value with the 1-based line it came from. Tomlyn's syntax tree keeps dotted keys,
/// table headers and inline tables apart; <see cref="TomlTree"/> folds them into this one shape so the
/// loader maps tables to our model by hand (no reflection) and can name a line in every error.
/// </summary>
internal abstract class TomlNode(int line)
{
    public int Line { get; } = line;
}

/// <summary>A table from a header, a dotted key or an inline table; entries keep file order.</summary>
internal sealed class TomlTableNode(int line) : TomlNode(line)
{
    public List<TomlEntry> Entries { get; } = [];

    public TomlNode? Find(string key)
    {
        foreach (TomlEntry entry in Entries)
        {
            if (entry.Key == key)
                return entry.Value;
        }
        return null;
    }
}

/// <summary>An array value, or the tables of an array of tables (<c>[[name]]</c>).</summary>
internal sealed class TomlArrayNode(int line, bool isTableArray) : TomlNode(line)
{
    public bool IsTableArray { get; } = isTableArray;

    public List<TomlNode> Items { get; } = [];
}

/// <summary>A string, integer, float, boolean or date-time.</summary>
internal sealed class TomlScalarNode(int line, ValueSyntax syntax) : TomlNode(line)
{
    public ValueSyntax Syntax { get; } = syntax;
}

/// <summary>One key of a table, with the line of the key itself.</summary>
internal readonly record struct TomlEntry(string Key, int Line, TomlNode Value);
