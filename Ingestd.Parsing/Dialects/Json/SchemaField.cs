using System.Text.Json;

namespace Ingestd.Parsing.Dialects.Json;

/// <summary>
/// One member of a table-driven schema (Air, Operyn): its name, the parser's rule for its value and
/// whether it is required. A table's order is the order in which problems are reported.
/// </summary>
internal sealed class SchemaField<TRule>(string name, TRule rule, bool required) where TRule : struct, Enum
{
    public readonly string Name = name;
    public readonly byte[] Utf8Name = System.Text.Encoding.UTF8.GetBytes(name);
    public readonly TRule Rule = rule;
    public readonly bool Required = required;

    /// <summary>The index in <paramref name="fields"/> of the current property name, or -1.</summary>
    public static int IndexOf(ref Utf8JsonReader reader, SchemaField<TRule>[] fields)
    {
        // ValueTextEquals compares after unescaping, so "\u006eame" is "name".
        for (int i = 0; i < fields.Length; i++)
        {
            if (reader.ValueTextEquals(fields[i].Utf8Name)) return i;
        }
        return -1;
    }
}
