using Tomlyn.Syntax;

namespace Ingestd.Config;

/// <summary>Folds a validated Tomlyn <see cref="DocumentSyntax"/> into <see cref="TomlNode"/>s.</summary>
internal static class TomlTree
{
    /// <summary>
    /// The document must have passed Tomlyn's semantic validation (no redefined keys or tables), so
    /// walking it here only has to follow TOML's rules for where each key lands.
    /// </summary>
    public static TomlTableNode Build(DocumentSyntax document, string sourceName)
    {
        var root = new TomlTableNode(1);
        foreach (KeyValueSyntax keyValue in document.KeyValues)
            Insert(root, keyValue, sourceName);

        foreach (TableSyntaxBase table in document.Tables)
        {
            List<string> path = KeyParts(table.Name);
            int line = LineOf(table);
            TomlTableNode parent = Descend(root, path, path.Count - 1, line, sourceName);
            string last = path[^1];
            TomlNode? existing = parent.Find(last);
            TomlTableNode current;
            if (table is TableArraySyntax)
            {
                // TOML §"Array of Tables": each [[name]] header appends a new table to the array.
                if (existing is not TomlArrayNode array)
                {
                    array = new TomlArrayNode(line, isTableArray: true);
                    parent.Entries.Add(new TomlEntry(last, line, array));
                }
                current = new TomlTableNode(line);
                array.Items.Add(current);
            }
            else if (existing is TomlTableNode implicitTable)
            {
                // Created earlier as the prefix of a longer header ([a.b] before [a]).
                current = implicitTable;
            }
            else
            {
                current = new TomlTableNode(line);
                parent.Entries.Add(new TomlEntry(last, line, current));
            }

            foreach (KeyValueSyntax keyValue in table.Items)
                Insert(current, keyValue, sourceName);
        }
        return root;
    }

    private static void Insert(TomlTableNode table, KeyValueSyntax keyValue, string sourceName)
    {
        List<string> path = KeyParts(keyValue.Key);
        int line = keyValue.Key is null ? LineOf(keyValue) : LineOf(keyValue.Key);
        TomlTableNode parent = Descend(table, path, path.Count - 1, line, sourceName);
        parent.Entries.Add(new TomlEntry(path[^1], line, Convert(keyValue.Value, line, sourceName)));
    }

    private static TomlNode Convert(ValueSyntax? value, int fallbackLine, string sourceName)
    {
        int line = value is null ? fallbackLine : LineOf(value);
        switch (value)
        {
            case ArraySyntax array:
                var arrayNode = new TomlArrayNode(line, isTableArray: false);
                foreach (ArrayItemSyntax item in array.Items)
                    arrayNode.Items.Add(Convert(item.Value, line, sourceName));
                return arrayNode;
            case InlineTableSyntax inline:
                var tableNode = new TomlTableNode(line);
                foreach (InlineTableItemSyntax item in inline.Items)
                {
                    if (item.KeyValue is not null)
                        Insert(tableNode, item.KeyValue, sourceName);
                }
                return tableNode;
            case null:
                throw new ConfigException($"{sourceName}:{line}: missing value");
            default:
                return new TomlScalarNode(line, value);
        }
    }

    /// <summary>Walks (creating as needed) the tables named by path[0..count).</summary>
    private static TomlTableNode Descend(TomlTableNode table, List<string> path, int count, int line, string sourceName)
    {
        for (int i = 0; i < count; i++)
        {
            TomlNode? next = table.Find(path[i]);
            switch (next)
            {
                case TomlTableNode child:
                    table = child;
                    break;
                case TomlArrayNode { IsTableArray: true, Items.Count: > 0 } array when array.Items[^1] is TomlTableNode lastTable:
                    // [a.b] after [[a]] belongs to the most recent element of a.
                    table = lastTable;
                    break;
                case null:
                    var created = new TomlTableNode(line);
                    table.Entries.Add(new TomlEntry(path[i], line, created));
                    table = created;
                    break;
                default:
                    throw new ConfigException(
                        $"{sourceName}:{line}: '{string.Join('.', path.Take(i + 1))}' is a value, not a table");
            }
        }
        return table;
    }

    private static List<string> KeyParts(KeySyntax? key)
    {
        var parts = new List<string>();
        if (key is null)
            return parts;
        parts.Add(KeyPart(key.Key));
        foreach (DottedKeyItemSyntax dotted in key.DotKeys)
            parts.Add(KeyPart(dotted.Key));
        return parts;
    }

    private static string KeyPart(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? "",
        StringValueSyntax quoted => quoted.Value ?? "",
        _ => "",
    };

    private static int LineOf(SyntaxNode node) => node.Span.Start.Line + 1;
}
