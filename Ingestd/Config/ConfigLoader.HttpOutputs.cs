namespace Ingestd.Config;

internal static partial class ConfigLoader
{
    private sealed partial class Mapper
    {
        // The keys of the loki, otlp_http and splunk_hec outputs: passed over by MapOutput, read here once the type is known.
        private static readonly string[] LokiKeys = ["labels", "structured_metadata"];
        private static readonly string[] HecKeys = ["token", "host", "source", "sourcetype"];

        private static bool IsHttpFamilyKey(string key) => Array.IndexOf(LokiKeys, key) >= 0 || Array.IndexOf(HecKeys, key) >= 0;

        private OutputConfig MapHttpFamily(TomlTableNode table, OutputConfig output, int typeLine)
        {
            string name = output.Name, type = output.Type;
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "outputs." + entry.Key;
                if (Array.IndexOf(LokiKeys, entry.Key) >= 0 && type != "loki")
                    throw Error(entry.Line, $"{key}: only for type loki (output '{name}' is {type})");
                if (Array.IndexOf(HecKeys, entry.Key) >= 0 && type != "splunk_hec")
                    throw Error(entry.Line, $"{key}: only for type splunk_hec (output '{name}' is {type})");
                switch (entry.Key)
                {
                    case "labels":
                        output = output with { Labels = ReadLabels(entry.Value, key) };
                        break;
                    case "structured_metadata":
                        output = output with { StructuredMetadata = ReadBool(entry.Value, key) };
                        break;
                    case "token":
                        output = output with { Token = ReadString(entry.Value, key) };
                        if (output.Token!.Length == 0 || output.Token.Any(char.IsControl))
                            throw Error(entry.Line, $"{key}: expected a non-empty token without control characters");
                        break;
                    case "host":
                        output = output with { HecHost = ReadTemplate(entry.Value, key) };
                        break;
                    case "source":
                        output = output with { HecSource = ReadTemplate(entry.Value, key) };
                        break;
                    case "sourcetype":
                        output = output with { HecSourceType = ReadTemplate(entry.Value, key) };
                        break;
                    case "index" when type == "splunk_hec":
                        output = output with { HecIndex = ReadTemplate(entry.Value, key) };
                        break;
                    case "gzip" when type == "loki":
                        throw Error(entry.Line, $"{key}: not for type loki (its protobuf body is snappy-compressed already)");
                }
            }
            if (type == "splunk_hec" && output.Token is null)
                throw Error(typeLine, $"outputs.token: output '{name}' (splunk_hec) needs a token (sent as Authorization: Splunk <token>)");
            return output;
        }

        // Loki label names are [a-zA-Z_][a-zA-Z0-9_]*; values are templates. At least one label, as Loki needs one per stream.
        private List<KeyValuePair<string, string>> ReadLabels(TomlNode node, string key)
        {
            if (node is not TomlTableNode table || table.Entries.Count == 0)
                throw Error(node.Line, $"{key}: expected a table of label names to templates (labels = {{ job = \"ingestd\", tenant = \"{{tenant}}\" }}), got {Describe(node)}");
            var labels = new List<KeyValuePair<string, string>>();
            foreach (TomlEntry entry in table.Entries)
            {
                string sub = key + "." + entry.Key;
                if (!IsLabelName(entry.Key))
                    throw Error(entry.Line, $"{sub}: a Loki label name is letters, digits and '_', not starting with a digit");
                labels.Add(new(entry.Key, ReadTemplate(entry.Value, sub)));
            }
            return labels;
        }

        private static bool IsLabelName(string name)
            => name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

        /// <summary>A string whose <c>{name}</c> placeholders are all in <see cref="OutputConfig.TemplateFields"/>.</summary>
        private string ReadTemplate(TomlNode node, string key)
        {
            string text = ReadString(node, key);
            for (int open = text.IndexOf('{'); open >= 0; open = text.IndexOf('{', open + 1))
            {
                int close = text.IndexOf('}', open);
                if (close < 0) throw Error(node.Line, $"{key}: '{{' without '}}' in \"{text}\"");
                string field = text[(open + 1)..close];
                if (Array.IndexOf(OutputConfig.TemplateFields, field) < 0)
                    throw Error(node.Line, $"{key}: unknown placeholder \"{{{field}}}\" in \"{text}\"; use {string.Join(", ", OutputConfig.TemplateFields.Select(f => "{" + f + "}"))}");
            }
            return text;
        }
    }
}
