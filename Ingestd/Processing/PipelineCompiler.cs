using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ingestd.Config;
using Ingestd.Parsing.Conditions;
using Ingestd.Parsing.Processing;
using Ingestd.Parsing.Records;
using Tomlyn.Syntax;

namespace Ingestd.Processing;

/// <summary>
/// Maps <c>[processing]</c> and <c>[[pipelines]]</c> (README, <i>Pipelines</i>) to a compiled <see cref="PipelineSet"/>:
/// conditions parsed, regexes built, lookup files read. Cold path, run at start and on every reload; any problem is a
/// <see cref="ConfigException"/> naming the file, the line, the pipeline, the step and the key (and for a condition the
/// column), so a bad file stops start-up or keeps the running pipelines. Secrets (hash keys) are never echoed.
/// </summary>
internal sealed class PipelineCompiler
{
    private const int MaxRouteNameLength = 64;

    private readonly ProcessingSection _section;
    private readonly string _hostName;
    private byte[]? _defaultHashKey;

    private PipelineCompiler(ProcessingSection section, string hostName)
    {
        _section = section;
        _hostName = hostName;
    }

    /// <summary>The pipelines of <paramref name="config"/> (an empty set when it has none).</summary>
    public static PipelineSet Compile(IngestdConfig config, string? hostName = null)
    {
        if (config.Processing is not { } section) return PipelineSet.Empty;
        return new PipelineCompiler(section, hostName ?? Environment.MachineName).Compile();
    }

    private PipelineSet Compile()
    {
        if (_section.Settings is { } settings)
        {
            foreach (var entry in settings.Entries)
            {
                switch (entry.Key)
                {
                    case "mask_hash_key":
                        _defaultHashKey = Encoding.UTF8.GetBytes(Secret(entry.Value, "processing.mask_hash_key"));
                        break;
                    default:
                        throw Error(entry.Line, $"unknown key 'processing.{entry.Key}'");
                }
            }
        }
        var pipelines = new List<Pipeline>();
        if (_section.Pipelines is { } array)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < array.Items.Count; i++)
            {
                var table = (TomlTableNode)array.Items[i];
                var pipeline = MapPipeline(table, i);
                if (!names.Add(pipeline.Name)) throw Error(table.Line, $"pipelines[{i}]: the name '{pipeline.Name}' is used by an earlier pipeline");
                pipelines.Add(pipeline);
            }
        }
        return new PipelineSet(pipelines);
    }

    private Pipeline MapPipeline(TomlTableNode table, int index)
    {
        string? name = null;
        PipelineMatch match = new();
        bool cont = false;
        TomlArrayNode? stepsNode = null;
        string where = $"pipelines[{index}]";
        foreach (var entry in table.Entries)
        {
            switch (entry.Key)
            {
                case "name":
                    name = ReadString(entry.Value, $"{where}.name");
                    break;
                case "match":
                    match = MapMatch(entry.Value as TomlTableNode ?? throw Error(entry.Line, $"{where}.match: expected a table, e.g. match = {{ tenant = \"org-xyz\" }}"), where);
                    break;
                case "continue":
                    cont = ReadBool(entry.Value, $"{where}.continue");
                    break;
                case "steps":
                    stepsNode = entry.Value is TomlArrayNode { IsTableArray: true } stepArray ? stepArray : throw Error(entry.Line, $"{where}.steps: expected an array of tables ([[pipelines.steps]])");
                    break;
                default:
                    throw Error(entry.Line, $"unknown key '{where}.{entry.Key}'");
            }
        }
        if (name is null) throw Error(table.Line, $"{where}: missing required key 'name'");
        where = $"pipelines[{index}] '{name}'";
        var steps = new List<Step>();
        if (stepsNode is null || stepsNode.Items.Count == 0) throw Error(table.Line, $"{where}: has no steps ([[pipelines.steps]])");
        var stepNames = new HashSet<string>(StringComparer.Ordinal);
        for (int s = 0; s < stepsNode.Items.Count; s++)
        {
            var step = MapStep((TomlTableNode)stepsNode.Items[s], $"{where} step {s + 1}", s + 1);
            if (!stepNames.Add(step.Name)) throw Error(stepsNode.Items[s].Line, $"{where} step {s + 1}: the name '{step.Name}' is used by an earlier step");
            steps.Add(step);
        }
        return new Pipeline { Name = name, Match = match, Steps = steps.ToArray(), Continue = cont };
    }

    private PipelineMatch MapMatch(TomlTableNode table, string where)
    {
        byte[][]? tenants = null, streams = null, services = null, levels = null;
        Dialect[]? dialects = null;
        foreach (var entry in table.Entries)
        {
            string key = $"{where}.match.{entry.Key}";
            var values = ReadOneOrMany(entry.Value, key);
            switch (entry.Key)
            {
                case "tenant": tenants = Utf8(values); break;
                case "stream": streams = Utf8(values); break;
                case "service": services = Utf8(values); break;
                case "level": levels = Utf8(values); break;
                case "dialect":
                    dialects = values.Select(v => DialectNamed(v) ?? throw Error(entry.Line, $"{key}: unknown dialect \"{v}\" ({string.Join(", ", DialectNames())})")).ToArray();
                    break;
                default:
                    throw Error(entry.Line, $"unknown key '{key}' (tenant, dialect, stream, service, level)");
            }
        }
        return new PipelineMatch { Tenants = tenants, Streams = streams, Services = services, Levels = levels, Dialects = dialects };
    }

    private static IEnumerable<Dialect> AllDialects() => Enum.GetValues<Dialect>().Where(d => d != Dialect.Unknown);

    private static IEnumerable<string> DialectNames() => AllDialects().Select(RecordNames.Of);

    private static Dialect? DialectNamed(string name)
    {
        foreach (var d in AllDialects())
            if (RecordNames.Of(d) == name) return d;
        return null;
    }

    // The keys each step type takes besides type, name and if.
    private static readonly Dictionary<string, string[]> KeysOf = new(StringComparer.Ordinal)
    {
        ["mask"] = ["paths", "patterns", "regexes", "action", "replacement", "key", "hash_length"],
        ["enrich"] = ["set", "add", "rename", "remove", "add_host", "add_received_at", "add_tenant", "add_stream", "lookup"],
        ["filter"] = ["drop_if", "keep_if"],
        ["sample"] = ["rate", "key", "always_keep"],
        ["route"] = ["routes"],
        ["parse"] = ["field", "format", "target", "pattern", "field_split", "value_split"],
    };

    private Step MapStep(TomlTableNode table, string where, int position)
    {
        var typeNode = table.Find("type") ?? throw Error(table.Line, $"{where}: missing required key 'type' (parse, mask, enrich, filter, sample, route)");
        string type = ReadString(typeNode, $"{where}.type");
        if (!KeysOf.TryGetValue(type, out var known))
            throw Error(typeNode.Line, $"{where}: unknown step type \"{type}\" (parse, mask, enrich, filter, sample, route)");
        where = $"{where} ({type})";
        foreach (var entry in table.Entries)
            if (entry.Key is not ("type" or "name" or "if") && !known.Contains(entry.Key))
                throw Error(entry.Line, $"unknown key '{where}.{entry.Key}' ({string.Join(", ", known)}, name, if)");
        var keys = new StepKeys(this, table, where);
        string name = keys.String("name") ?? $"{position}-{type}";
        var condition = keys.Condition("if");
        Step step = type switch
        {
            "mask" => MapMask(keys, name, condition),
            "enrich" => MapEnrich(keys, name, condition),
            "filter" => MapFilter(keys, name, condition),
            "sample" => MapSample(keys, name, condition),
            "route" => MapRoute(keys, name, condition),
            "parse" => MapParse(keys, name, condition),
            _ => throw Error(typeNode.Line, $"{where}: unknown step type \"{type}\" (parse, mask, enrich, filter, sample, route)"),
        };
        keys.RejectUnused();
        return step;
    }

    private MaskStep MapMask(StepKeys keys, string name, Condition? condition)
    {
        var paths = keys.Paths("paths", allowWildcards: true, allowHeader: false) ?? [];
        var patterns = new List<MaskPattern>();
        foreach (var (text, line) in keys.StringsWithLines("patterns") ?? [])
            patterns.Add(MaskPattern.BuiltIn(text) ?? throw Error(line, $"{keys.Where}.patterns: unknown pattern \"{text}\" ({MaskPattern.BuiltInNames}; use regexes = [...] for your own)"));
        int r = 0;
        foreach (var (text, line) in keys.StringsWithLines("regexes") ?? [])
            patterns.Add(new RegexPattern($"regex{++r}", BuildRegex(text, line, $"{keys.Where}.regexes")));
        if (paths.Length == 0 && patterns.Count == 0) throw Error(keys.Line, $"{keys.Where}: needs paths, patterns or regexes");

        string mode = keys.String("action") ?? "replace";
        string? replacement = keys.String("replacement");
        var keyNode = keys.Take("key");
        int hashLength = keys.Int("hash_length", 1, 64) ?? 64;
        MaskAction action = mode switch
        {
            "replace" => new MaskAction(MaskMode.Replace, Encoding.UTF8.GetBytes(replacement ?? MaskAction.DefaultReplacement), [], 0),
            "hash" => new MaskAction(MaskMode.Hash, [],
                keyNode is not null ? Encoding.UTF8.GetBytes(Secret(keyNode, $"{keys.Where}.key"))
                    : _defaultHashKey ?? throw Error(keys.Line, $"{keys.Where}: action \"hash\" needs a key (the step's key or processing.mask_hash_key)"),
                hashLength),
            "partial" => new MaskAction(MaskMode.Partial, [], [], 0),
            _ => throw Error(keys.Line, $"{keys.Where}.action: expected replace, hash or partial, got \"{mode}\""),
        };
        return new MaskStep(new RewritePlan { MaskPaths = paths, Patterns = patterns.ToArray(), Action = action }) { Name = name, If = condition };
    }

    private EnrichStep MapEnrich(StepKeys keys, string name, Condition? condition)
    {
        var assignments = new List<Assignment>();
        var values = new List<EnrichValue>();
        var headers = new List<HeaderAssignment>();
        var removes = new List<FieldPath>();

        void Assign(FieldPath path, EnrichValue value, bool overwrite)
        {
            assignments.Add(new Assignment(path, overwrite));
            values.Add(value);
        }

        foreach (bool overwrite in new[] { true, false })
        {
            string key = overwrite ? "set" : "add";
            foreach (var (pathText, node) in keys.FlatTable(key))
            {
                var path = ParsePath(pathText, node.Line, $"{keys.Where}.{key}", allowWildcards: false, allowHeader: true);
                if (path.IsHeader)
                {
                    if (path.Header is not (RecordField.Tenant or RecordField.Service or RecordField.Level))
                        throw Error(node.Line, $"{keys.Where}.{key}: '{pathText}' cannot be set (tenant, service and level can; write $.{pathText} for the event's member)");
                    if (!overwrite) throw Error(node.Line, $"{keys.Where}.add: '{pathText}' is a header field, always present: use set");
                    string text = ScalarText(node, $"{keys.Where}.{key}.{pathText}");
                    if (Encoding.UTF8.GetByteCount(text) > RecordLayout.MaxFieldLength) throw Error(node.Line, $"{keys.Where}.{key}.{pathText}: longer than {RecordLayout.MaxFieldLength} bytes");
                    headers.Add(new HeaderAssignment(path.Header, Encoding.UTF8.GetBytes(text)));
                    continue;
                }
                Assign(path, new StaticValue(JsonOf(node, $"{keys.Where}.{key}.{pathText}")), overwrite);
            }
        }
        foreach (var (from, node) in keys.FlatTable("rename"))
        {
            var source = ParsePath(from, node.Line, $"{keys.Where}.rename", allowWildcards: false, allowHeader: false);
            var target = ParsePath(ReadString(node, $"{keys.Where}.rename.{from}"), node.Line, $"{keys.Where}.rename", allowWildcards: false, allowHeader: false);
            removes.Add(source);
            Assign(target, new FieldCopyValue(source), overwrite: true);
        }
        foreach (var path in keys.Paths("remove", allowWildcards: true, allowHeader: false) ?? []) removes.Add(path);
        if (keys.String("add_host") is { } hostField)
            Assign(ParsePath(hostField, keys.Line, $"{keys.Where}.add_host", false, false), new StaticValue(JsonString(_hostName)), overwrite: true);
        if (keys.String("add_received_at") is { } receivedField)
            Assign(ParsePath(receivedField, keys.Line, $"{keys.Where}.add_received_at", false, false), new ReceivedAtValue(), overwrite: true);
        if (keys.String("add_tenant") is { } tenantField)
            Assign(ParsePath(tenantField, keys.Line, $"{keys.Where}.add_tenant", false, false), new FieldCopyValue(FieldPath.Parse("tenant")), overwrite: true);
        if (keys.String("add_stream") is { } streamField)
            Assign(ParsePath(streamField, keys.Line, $"{keys.Where}.add_stream", false, false), new FieldCopyValue(FieldPath.Parse("stream")), overwrite: true);
        if (keys.Take("lookup") is { } lookupNode)
        {
            var lookup = lookupNode as TomlTableNode ?? throw Error(lookupNode.Line, $"{keys.Where}.lookup: expected a table, e.g. lookup = {{ file = \"teams.csv\", key = \"service\" }}");
            var lk = new StepKeys(this, lookup, keys.Where + ".lookup");
            string file = lk.String("file") ?? throw Error(lookup.Line, $"{keys.Where}.lookup: missing required key 'file'");
            var keyPath = lk.Paths("key", allowWildcards: false, allowHeader: true, single: true)?[0] ?? throw Error(lookup.Line, $"{keys.Where}.lookup: missing required key 'key' (the field whose value is looked up)");
            string? keyColumn = lk.String("key_column");
            var columns = lk.Strings("columns");
            string? target = lk.String("target");
            lk.RejectUnused();
            string path = Path.IsPathRooted(file) ? file : Path.Combine(_section.BaseDirectory, file);
            LookupTable table;
            try
            {
                table = CsvTableFile.Read(path, keyColumn, columns);
            }
            catch (ConfigException e)
            {
                throw Error(lookup.Line, $"{keys.Where}.lookup: {e.Message}");
            }
            for (int c = 0; c < table.Columns.Count; c++)
            {
                string member = target is null ? table.Columns[c] : $"{target}.{table.Columns[c]}";
                Assign(ParsePath(member, lookup.Line, $"{keys.Where}.lookup", false, false), new LookupValue(table, keyPath, c), overwrite: true);
            }
        }
        if (assignments.Count == 0 && headers.Count == 0 && removes.Count == 0)
            throw Error(keys.Line, $"{keys.Where}: sets nothing (set, add, rename, remove, add_host, add_received_at, add_tenant, add_stream, lookup)");
        var plan = new RewritePlan { Assignments = assignments.ToArray(), Removes = removes.ToArray() };
        return new EnrichStep(plan, values.ToArray(), headers.ToArray()) { Name = name, If = condition };
    }

    private FilterStep MapFilter(StepKeys keys, string name, Condition? condition)
    {
        var drop = keys.Condition("drop_if");
        var keep = keys.Condition("keep_if");
        if ((drop is null) == (keep is null)) throw Error(keys.Line, $"{keys.Where}: needs exactly one of drop_if, keep_if");
        return new FilterStep(drop ?? keep!, dropWhenTrue: drop is not null) { Name = name, If = condition };
    }

    private SampleStep MapSample(StepKeys keys, string name, Condition? condition)
    {
        int rate = keys.Int("rate", 1, int.MaxValue) ?? throw Error(keys.Line, $"{keys.Where}: missing required key 'rate' (keep 1 event in rate)");
        var key = keys.Paths("key", allowWildcards: false, allowHeader: true, single: true)?[0];
        var alwaysKeep = keys.Condition("always_keep");
        return new SampleStep(rate, key, alwaysKeep) { Name = name, If = condition };
    }

    private RouteStep MapRoute(StepKeys keys, string name, Condition? condition)
    {
        var routes = keys.StringsWithLines("routes") ?? throw Error(keys.Line, $"{keys.Where}: missing required key 'routes'");
        if (routes.Count == 0) throw Error(keys.Line, $"{keys.Where}.routes: must name at least one route");
        foreach (var (route, line) in routes)
        {
            if (route.Length > MaxRouteNameLength || !route.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                throw Error(line, $"{keys.Where}.routes: \"{route}\" is not a route name (1 to {MaxRouteNameLength} letters, digits, '_', '-', '.')");
        }
        return new RouteStep(routes.Select(r => Encoding.UTF8.GetBytes(r.Text)).ToArray()) { Name = name, If = condition };
    }

    private ParseStep MapParse(StepKeys keys, string name, Condition? condition)
    {
        var field = keys.Paths("field", allowWildcards: false, allowHeader: false, single: true)?[0] ?? throw Error(keys.Line, $"{keys.Where}: missing required key 'field'");
        var target = keys.Paths("target", allowWildcards: false, allowHeader: false, single: true)?[0] ?? FieldPath.Parse("parsed");
        string format = keys.String("format") ?? throw Error(keys.Line, $"{keys.Where}: missing required key 'format' (json, logfmt, kv, regex, nginx, apache, syslog)");
        var patternNode = keys.Take("pattern");
        string? fieldSplit = keys.String("field_split");
        string? valueSplit = keys.String("value_split");
        if (format != "kv" && (fieldSplit is not null || valueSplit is not null)) throw Error(keys.Line, $"{keys.Where}: field_split and value_split are for format \"kv\"");
        if (format != "regex" && patternNode is not null) throw Error(patternNode.Line, $"{keys.Where}: pattern is for format \"regex\"");
        LineParser parser;
        switch (format)
        {
            case "json": parser = new JsonLineParser(); break;
            case "logfmt": parser = KeyValueLineParser.Logfmt(); break;
            case "kv":
                if (valueSplit is not null && (valueSplit.Length != 1 || valueSplit[0] > 127)) throw Error(keys.Line, $"{keys.Where}.value_split: must be one ASCII character");
                if (fieldSplit is not null && fieldSplit.Any(c => c > 127)) throw Error(keys.Line, $"{keys.Where}.field_split: ASCII characters only");
                parser = new KeyValueLineParser("kv", Encoding.ASCII.GetBytes(fieldSplit ?? " ,;\t"), (byte)(valueSplit ?? "=")[0], bareKeysAreTrue: false);
                break;
            case "regex":
                if (patternNode is null) throw Error(keys.Line, $"{keys.Where}: format \"regex\" needs a pattern with named groups");
                var regexParser = new RegexLineParser("regex", BuildRegex(ReadString(patternNode, $"{keys.Where}.pattern"), patternNode.Line, $"{keys.Where}.pattern"));
                if (regexParser.NamedGroups == 0) throw Error(patternNode.Line, $"{keys.Where}.pattern: has no named groups ((?<name>...))");
                parser = regexParser;
                break;
            case "nginx": parser = CombinedLogParser.Nginx(); break;
            case "apache": parser = CombinedLogParser.Apache(); break;
            case "syslog": parser = new SyslogLineParser(); break;
            default: throw Error(keys.Line, $"{keys.Where}.format: unknown format \"{format}\" (json, logfmt, kv, regex, nginx, apache, syslog)");
        }
        return new ParseStep(field, target, parser) { Name = name, If = condition };
    }

    private Regex BuildRegex(string pattern, int line, string key)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw Error(line, $"{key}: invalid regular expression: {e.Message}");
        }
    }

    internal FieldPath ParsePath(string text, int line, string key, bool allowWildcards, bool allowHeader)
    {
        var path = FieldPath.TryParse(text, out string? problem) ?? throw Error(line, $"{key}: {problem}");
        if (path.HasWildcard && !allowWildcards) throw Error(line, $"{key}: '{text}': wildcards are only for mask paths and remove");
        if (path.IsHeader && !allowHeader) throw Error(line, $"{key}: '{text}' is a record header field; write $.{text} for the event's member");
        return path;
    }

    private static byte[] JsonString(string s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            w.WriteStringValue(s);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A TOML scalar as JSON: strings, integers, floats and booleans.</summary>
    private byte[] JsonOf(TomlNode node, string key) => node switch
    {
        TomlScalarNode { Syntax: StringValueSyntax s } => JsonString(s.Value ?? ""),
        TomlScalarNode { Syntax: IntegerValueSyntax i } => Encoding.UTF8.GetBytes(i.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        TomlScalarNode { Syntax: FloatValueSyntax f } when double.IsFinite(f.Value) => Encoding.UTF8.GetBytes(f.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        TomlScalarNode { Syntax: BooleanValueSyntax b } => b.Value ? "true"u8.ToArray() : "false"u8.ToArray(),
        _ => throw Error(node.Line, $"{key}: expected a string, number or boolean"),
    };

    private string ScalarText(TomlNode node, string key) => node switch
    {
        TomlScalarNode { Syntax: StringValueSyntax s } => s.Value ?? "",
        _ => throw Error(node.Line, $"{key}: expected a string"),
    };

    internal string ReadString(TomlNode node, string key)
    {
        if (node is not TomlScalarNode { Syntax: StringValueSyntax s }) throw Error(node.Line, $"{key}: expected a string");
        if (string.IsNullOrEmpty(s.Value)) throw Error(node.Line, $"{key}: must not be empty");
        return s.Value;
    }

    private string Secret(TomlNode node, string key)
    {
        // Never echo the value: it is a secret.
        if (node is not TomlScalarNode { Syntax: StringValueSyntax s } || string.IsNullOrEmpty(s.Value)) throw Error(node.Line, $"{key}: expected a non-empty string");
        if (Encoding.UTF8.GetByteCount(s.Value) < 16) throw Error(node.Line, $"{key}: must be at least 16 bytes (a short key makes hashes guessable)");
        return s.Value;
    }

    private bool ReadBool(TomlNode node, string key) =>
        node is TomlScalarNode { Syntax: BooleanValueSyntax b } ? b.Value : throw Error(node.Line, $"{key}: expected true or false");

    private List<string> ReadOneOrMany(TomlNode node, string key)
    {
        if (node is TomlScalarNode) return [ReadString(node, key)];
        if (node is TomlArrayNode { IsTableArray: false } array && array.Items.Count > 0)
            return array.Items.Select(item => ReadString(item, key)).ToList();
        throw Error(node.Line, $"{key}: expected a string or a non-empty array of strings");
    }

    private static byte[][] Utf8(List<string> values) => values.Select(Encoding.UTF8.GetBytes).ToArray();

    internal ConfigException Error(int line, string message) => new($"{_section.SourceName}:{line}: {message}");

    /// <summary>The keys of one step table: each read at most once, and any left unread is an unknown key.</summary>
    private sealed class StepKeys(PipelineCompiler compiler, TomlTableNode table, string where)
    {
        private readonly HashSet<string> _used = ["type"];

        public string Where => where;
        public int Line => table.Line;

        public TomlNode? Take(string key)
        {
            _used.Add(key);
            return table.Find(key);
        }

        public string? String(string key) => Take(key) is { } node ? compiler.ReadString(node, $"{where}.{key}") : null;

        public int? Int(string key, int min, int max)
        {
            if (Take(key) is not { } node) return null;
            if (node is not TomlScalarNode { Syntax: IntegerValueSyntax i } || i.Value < min || i.Value > max)
                throw compiler.Error(node.Line, max == int.MaxValue ? $"{where}.{key}: expected an integer of at least {min}" : $"{where}.{key}: expected an integer from {min} to {max}");
            return (int)i.Value;
        }

        public Condition? Condition(string key)
        {
            if (Take(key) is not { } node) return null;
            string text = compiler.ReadString(node, $"{where}.{key}");
            try
            {
                return ConditionParser.Parse(text);
            }
            catch (ConditionException e)
            {
                throw compiler.Error(node.Line, $"{where}.{key}: column {e.Column}: {e.Problem}");
            }
        }

        public List<(string Text, int Line)>? StringsWithLines(string key)
        {
            if (Take(key) is not { } node) return null;
            if (node is not TomlArrayNode { IsTableArray: false } array) throw compiler.Error(node.Line, $"{where}.{key}: expected an array of strings");
            return array.Items.Select(item => (compiler.ReadString(item, $"{where}.{key}"), item.Line)).ToList();
        }

        public List<string>? Strings(string key) => StringsWithLines(key)?.Select(s => s.Text).ToList();

        public FieldPath[]? Paths(string key, bool allowWildcards, bool allowHeader, bool single = false)
        {
            if (table.Find(key) is TomlScalarNode && single)
            {
                var node = Take(key)!;
                return [compiler.ParsePath(compiler.ReadString(node, $"{where}.{key}"), node.Line, $"{where}.{key}", allowWildcards, allowHeader)];
            }
            if (single && table.Find(key) is { } other) throw compiler.Error(other.Line, $"{where}.{key}: expected a field path string");
            return StringsWithLines(key)?.Select(s => compiler.ParsePath(s.Text, s.Line, $"{where}.{key}", allowWildcards, allowHeader)).ToArray();
        }

        /// <summary>A table of path = value; dotted keys written bare (a.b = 1) nest in TOML and are joined back into paths here.</summary>
        public List<(string Path, TomlNode Value)> FlatTable(string key)
        {
            var result = new List<(string, TomlNode)>();
            if (Take(key) is not { } node) return result;
            if (node is not TomlTableNode t) throw compiler.Error(node.Line, $"{where}.{key}: expected a table, e.g. {key} = {{ team = \"payments\" }}");
            Flatten(t, "", result);
            return result;
        }

        private static void Flatten(TomlTableNode t, string prefix, List<(string, TomlNode)> into)
        {
            foreach (var e in t.Entries)
            {
                string path = prefix.Length == 0 ? e.Key : $"{prefix}.{e.Key}";
                if (e.Value is TomlTableNode inner) Flatten(inner, path, into);
                else into.Add((path, e.Value));
            }
        }

        public void RejectUnused()
        {
            foreach (var e in table.Entries)
                if (!_used.Contains(e.Key)) throw compiler.Error(e.Line, $"unknown key '{where}.{e.Key}'");
        }
    }
}
