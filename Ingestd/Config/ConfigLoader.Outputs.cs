using Ingestd.Parsing.Conditions;
using Ingestd.Selection;
using Tomlyn.Syntax;

namespace Ingestd.Config;

internal static partial class ConfigLoader
{
    private sealed partial class Mapper
    {
        private List<OutputConfig> MapOutputs(TomlEntry entry)
        {
            if (entry.Value is not TomlArrayNode array || !array.Items.All(item => item is TomlTableNode))
                throw Error(entry.Value.Line, $"outputs: expected an array of tables ([[outputs]]), got {Describe(entry.Value)}");
            var outputs = new List<OutputConfig>(array.Items.Count);
            foreach (TomlNode item in array.Items)
            {
                var output = MapOutput((TomlTableNode)item);
                if (outputs.Any(o => o.Name == output.Name))
                    throw Error(item.Line, $"outputs.name: output '{output.Name}' is defined twice");
                outputs.Add(output);
            }
            return outputs;
        }

        private OutputConfig MapOutput(TomlTableNode table)
        {
            string? name = null, type = null, url = null, path = null;
            int typeLine = table.Line, urlLine = table.Line;
            bool urlIsList = false;
            var output = new OutputConfig { Name = "", Type = "" };
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "outputs." + entry.Key;
                TomlNode v = entry.Value;
                switch (entry.Key)
                {
                    case "name":
                        name = ReadString(v, key);
                        // The name becomes file names and a metrics label: keep it to a safe alphabet.
                        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || name.StartsWith('.'))
                            throw Error(entry.Line, $"{key}: use letters, digits, '-', '_' and '.' (not first), got \"{name}\"");
                        break;
                    case "type":
                        type = ReadString(v, key);
                        typeLine = entry.Line;
                        if (Array.IndexOf(OutputConfig.KnownTypes, type) < 0)
                            throw Error(entry.Line, $"{key}: unknown destination type \"{type}\"; this build supports {string.Join(", ", OutputConfig.KnownTypes)}");
                        break;
                    case "enabled":
                        output = output with { Enabled = ReadBool(v, key) };
                        break;
                    case "match":
                        output = output with { Match = MapOutputMatch(v, key) };
                        break;
                    case "batch":
                        output = MapOutputBatch(v, key, output);
                        break;
                    case "start":
                        output = output with
                        {
                            Start = AsString(v) switch
                            {
                                "earliest" => OutputStart.Earliest,
                                "latest" => OutputStart.Latest,
                                _ => throw Error(entry.Line, $"{key}: expected one of earliest, latest, got {Describe(v)}"),
                            },
                        };
                        break;
                    case "url":
                        // Several servers (a NATS cluster): an array, or NATS's own comma-separated form; kept comma-joined.
                        url = v is TomlArrayNode ? string.Join(',', ReadStringList(v, key, echoValues: true)) : ReadString(v, key);
                        urlLine = entry.Line;
                        urlIsList = v is TomlArrayNode { Items.Count: > 1 };
                        break;
                    case "subject":
                        output = output with { Subject = ReadString(v, key) };
                        break;
                    case "index":
                        output = output with { Index = ReadString(v, key) };
                        break;
                    case "headers":
                        output = output with { Headers = ReadHeaders(v, key) };
                        break;
                    case "path":
                        path = ReadString(v, key);
                        if (!System.IO.Path.IsPathFullyQualified(path))
                            throw Error(entry.Line, $"{key}: expected an absolute directory, got \"{path}\"");
                        break;
                    case "gzip":
                        output = output with { Gzip = ReadBool(v, key) };
                        break;
                    case "timeout":
                        output = output with { Timeout = ReadDuration(v, key, allowZero: false) };
                        break;
                    case "retry_max_backoff":
                        output = output with { RetryMaxBackoff = ReadDuration(v, key, allowZero: false) };
                        break;
                    case "table" or "create_table" or "user" or "password" or "auth":
                        output = MapClickHouseKey(entry, key, output);
                        break;
                    default:
                        if (!IsHttpFamilyKey(entry.Key)) throw UnknownKey(entry, key);
                        break; // read by MapHttpFamily once the type is known
                }
            }
            if (name is null) throw Error(table.Line, "outputs: missing required key 'name'");
            if (type is null) throw Error(table.Line, $"outputs: output '{name}' is missing required key 'type' ({string.Join(", ", OutputConfig.KnownTypes)})");
            if (type == "parquet_files") return MapParquetFiles(table, output with { Name = name, Type = type }, path, url, typeLine);
            if (table.Find("path") is { } pathEntry) throw Error(pathEntry.Line, $"outputs.path: only for type parquet_files (output '{name}' is {type})");
            if (url is null) throw Error(typeLine, $"outputs.url: output '{name}' ({type}) needs a url");
            bool nats = type == "nats_jetstream";
            // Only NATS takes a list, the servers of a cluster (a comma in an HTTP URL is part of that URL).
            if (urlIsList && !nats) throw Error(urlLine, $"outputs.url: output '{name}' ({type}) takes one URL (a list is for nats_jetstream: the servers of a cluster)");
            if (nats) url = string.Join(',', url.Split(',', StringSplitOptions.TrimEntries));
            foreach (string one in nats ? url.Split(',') : [url])
            {
                if (!Uri.TryCreate(one, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "nats" or "tls"))
                    throw Error(urlLine, $"outputs.url: expected an http://, https:// or nats:// URL, got \"{one}\"");
                if (nats != (uri.Scheme is "nats" or "tls"))
                    throw Error(typeLine, nats ? $"outputs.url: output '{name}' (nats_jetstream) needs nats:// URLs" : $"outputs.url: output '{name}' ({type}) needs an http(s):// URL");
            }
            if (!nats && table.Find("subject") is { } subject) throw Error(subject.Line, $"outputs.subject: only for type nats_jetstream (output '{name}' is {type})");
            if (type is not ("elasticsearch" or "splunk_hec") && table.Find("index") is { } index) throw Error(index.Line, $"outputs.index: only for types elasticsearch and splunk_hec (output '{name}' is {type})");
            foreach (string only in ClickHouseKeys)
                if (type != "clickhouse" && table.Find(only) is { } found) throw Error(found.Line, $"outputs.{only}: only for type clickhouse (output '{name}' is {type})");
            return MapHttpFamily(table, output with { Name = name, Type = type, Url = url }, typeLine);
        }

        private static readonly string[] ClickHouseKeys = ["table", "create_table", "user", "password", "auth"];

        private OutputConfig MapClickHouseKey(TomlEntry entry, string key, OutputConfig output)
        {
            TomlNode v = entry.Value;
            switch (entry.Key)
            {
                case "table":
                    // Goes into the INSERT and CREATE statements as written: only plain identifiers.
                    string table = ReadString(v, key);
                    if (!IsClickHouseTableName(table))
                        throw Error(entry.Line, $"{key}: expected a table name of letters, digits and '_' (optionally database.table), got \"{table}\"");
                    return output with { Table = table };
                case "create_table":
                    return output with { CreateTable = ReadBool(v, key) };
                case "user":
                    return output with { User = ReadString(v, key) };
                case "password":
                    // A secret: never echoed in an error.
                    return output with { Password = AsString(v) ?? throw Error(entry.Line, $"{key}: expected a string, got {KindOf(v)}") };
                default:
                    return output with
                    {
                        BasicAuth = AsString(v) switch
                        {
                            "headers" => false,
                            "basic" => true,
                            _ => throw Error(entry.Line, $"{key}: expected one of headers, basic, got {Describe(v)}"),
                        },
                    };
            }
        }

        private static bool IsClickHouseTableName(string name)
        {
            string[] parts = name.Split('.');
            if (parts.Length > 2) return false;
            foreach (string part in parts)
            {
                if (part.Length == 0 || char.IsAsciiDigit(part[0])) return false;
                foreach (char c in part)
                    if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
            }
            return true;
        }

        // parquet_files writes to a directory, and rolls hourly files: large batches by default (fewer, bigger parts).
        private OutputConfig MapParquetFiles(TomlTableNode table, OutputConfig output, string? path, string? url, int typeLine)
        {
            if (path is null) throw Error(typeLine, $"outputs.path: output '{output.Name}' (parquet_files) needs a path (the directory for the files)");
            if (url is not null) throw Error(table.Find("url")!.Line, $"outputs.url: not for type parquet_files (output '{output.Name}' writes to path)");
            foreach (string key in (string[])["subject", "index", "headers", "gzip", .. ClickHouseKeys, .. LokiKeys, .. HecKeys])
                if (table.Find(key) is { } entry) throw Error(entry.Line, $"outputs.{key}: not for type parquet_files (output '{output.Name}')");
            var batch = table.Find("batch") as TomlTableNode;
            if (batch?.Find("max_events") is null) output = output with { MaxEvents = 100_000 };
            if (batch?.Find("max_bytes") is null) output = output with { MaxBytes = 64L * 1024 * 1024 };
            if (batch?.Find("max_wait") is null) output = output with { MaxWait = TimeSpan.FromSeconds(60) };
            return output with { Path = path };
        }

        private RecordCriteria MapOutputMatch(TomlNode node, string key)
        {
            if (node is not TomlTableNode table)
                throw Error(node.Line, $"{key}: expected a table (match = {{ tenant = [\"a\"] }}), got {Describe(node)}");
            var match = new RecordCriteria();
            foreach (TomlEntry entry in table.Entries)
            {
                string sub = key + "." + entry.Key;
                match = entry.Key switch
                {
                    "tenant" => match with { Tenants = ReadStringList(entry.Value, sub, echoValues: true) },
                    "dialect" => match with { Dialects = ReadLowerNames(entry.Value, sub) },
                    "kind" => match with { Kinds = ReadLowerNames(entry.Value, sub) },
                    "service" => match with { Services = ReadStringList(entry.Value, sub, echoValues: true) },
                    "level" => match with { Levels = ReadStringList(entry.Value, sub, echoValues: true) },
                    "stream" => match with { Streams = ReadStringList(entry.Value, sub, echoValues: true) },
                    "route" => match with { Routes = ReadStringList(entry.Value, sub, echoValues: true) },
                    "where" => match with { Where = ReadCondition(entry.Value, sub) },
                    _ => throw UnknownKey(entry, sub),
                };
            }
            return match;
        }

        // The same condition language as the pipelines' filters, compiled once here; an error names line and column.
        private RecordCondition ReadCondition(TomlNode node, string key)
        {
            string text = ReadString(node, key);
            try
            {
                return RecordCondition.Parse(text);
            }
            catch (ConditionException e)
            {
                throw Error(node.Line, $"{key}: column {e.Column}: {e.Problem}");
            }
        }

        // Dialect and kind names are compared with the record's names, which are lower-case.
        private List<string> ReadLowerNames(TomlNode node, string key)
            => ReadStringList(node, key, echoValues: true).Select(s => s.ToLowerInvariant()).ToList();

        private OutputConfig MapOutputBatch(TomlNode node, string key, OutputConfig output)
        {
            if (node is not TomlTableNode table)
                throw Error(node.Line, $"{key}: expected a table (batch = {{ max_events = 1000 }}), got {Describe(node)}");
            foreach (TomlEntry entry in table.Entries)
            {
                string sub = key + "." + entry.Key;
                output = entry.Key switch
                {
                    "max_events" => output with { MaxEvents = ReadInt(entry.Value, sub, min: 1, max: 1_000_000) },
                    "max_bytes" => output with { MaxBytes = ReadSize(entry.Value, sub, min: 1024, max: 256L * 1024 * 1024) },
                    "max_wait" => output with { MaxWait = ReadDuration(entry.Value, sub, allowZero: true) },
                    _ => throw UnknownKey(entry, sub),
                };
            }
            return output;
        }

        private List<KeyValuePair<string, string>> ReadHeaders(TomlNode node, string key)
        {
            if (node is not TomlTableNode table)
                throw Error(node.Line, $"{key}: expected a table of header names to strings, got {Describe(node)}");
            var headers = new List<KeyValuePair<string, string>>();
            foreach (TomlEntry entry in table.Entries)
            {
                if (AsString(entry.Value) is not string value)
                    throw Error(entry.Line, $"{key}.{entry.Key}: expected a string, got {KindOf(entry.Value)}");
                headers.Add(new(entry.Key, value));
            }
            return headers;
        }

        private bool ReadBool(TomlNode node, string key) =>
            node is TomlScalarNode { Syntax: BooleanValueSyntax b }
                ? b.Value
                : throw Error(node.Line, $"{key}: expected true or false, got {Describe(node)}");
    }
}
