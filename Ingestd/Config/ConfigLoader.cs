using System.Net;
using System.Text;
using Ingestd.Parsing.Dialects.Streams;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Ingestd.Config;

/// <summary>
/// Reads the TOML config file (DESIGN §5). Tomlyn parses and validates the syntax; the mapping to
/// <see cref="IngestdConfig"/> is written out by hand so the daemon stays trimming/AOT-safe and every
/// error names the file, the line and the dotted key.
/// </summary>
internal static partial class ConfigLoader
{
    private const string SizeHint = "a size (integer bytes, or a string like \"256MiB\" with unit B, KB, MB, GB, KiB, MiB, GiB)";
    private const string DurationHint = "a duration (integer seconds, or a string like \"250ms\", \"30s\", \"5m\", \"1h\", \"1d\")";

    public static IngestdConfig LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException($"cannot read {path}: {e.Message}", e);
        }
        return Parse(text, path);
    }

    public static IngestdConfig Parse(string text, string sourceName)
    {
        DocumentSyntax document = SyntaxParser.Parse(text, sourceName, validate: true);
        if (document.HasErrors)
            throw new ConfigException(DescribeSyntaxErrors(document, sourceName));

        TomlTableNode root = TomlTree.Build(document, sourceName);
        return new Mapper(sourceName).Map(root);
    }

    private static string DescribeSyntaxErrors(DocumentSyntax document, string sourceName)
    {
        var message = new StringBuilder();
        foreach (DiagnosticMessage diagnostic in document.Diagnostics)
        {
            if (diagnostic.Kind != DiagnosticMessageKind.Error)
                continue;
            if (message.Length > 0)
                message.Append('\n');
            TextPosition start = diagnostic.Span.Start;
            message.Append($"{sourceName}:{start.Line + 1}:{start.Column + 1}: {diagnostic.Message}");
        }
        return message.ToString();
    }

    /// <summary>Maps the resolved tree; holds the source name for error messages.</summary>
    private sealed partial class Mapper(string sourceName)
    {
        public IngestdConfig Map(TomlTableNode root)
        {
            IngestdConfig config = IngestdConfig.Defaults;
            foreach (TomlEntry entry in root.Entries)
            {
                config = entry.Key switch
                {
                    "server" => config with { Server = MapServer(ExpectSection(entry)) },
                    "storage" => config with { Storage = MapStorage(ExpectSection(entry)) },
                    "limits" => config with { Limits = MapLimits(ExpectSection(entry)) },
                    "auth" => config with { Auth = MapAuth(ExpectSection(entry)) },
                    "tenants" => config with { Tenants = MapTenants(entry) },
                    "outputs" => config with { Outputs = MapOutputs(entry) },
                    "processing" => config with { Processing = (config.Processing ?? new ProcessingSection(sourceName, null, null)) with { Settings = ExpectSection(entry) } },
                    "pipelines" => config with { Processing = (config.Processing ?? new ProcessingSection(sourceName, null, null)) with { Pipelines = ExpectTableArray(entry) } },
                    _ => throw Error(entry.Line, entry.Value is TomlTableNode
                        ? $"unknown section '{entry.Key}'"
                        : $"unknown key '{entry.Key}'"),
                };
            }
            return config;
        }

        private ServerConfig MapServer(TomlTableNode table)
        {
            var server = new ServerConfig();
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "server." + entry.Key;
                server = entry.Key switch
                {
                    "listen" => server with { Listen = ReadListen(entry.Value, key, allowEmpty: true) },
                    "data_dir" => server with { DataDir = ReadString(entry.Value, key) },
                    "tls" => server with { Tls = MapTlsListeners(entry) },
                    "plain_http" => server with { PlainHttp = ReadPlainHttp(entry.Value, key) },
                    "node_id" => server with { NodeId = ReadString(entry.Value, key) },
                    _ => throw UnknownKey(entry, key),
                };
            }
            // An empty plain list is how a TLS-only daemon is written; with no TLS listener it would serve nothing.
            if (server.Listen.Count == 0 && server.Tls.Count == 0)
                throw Error(table.Find("listen")!.Line, "server.listen: needs at least one \"host:port\"");
            foreach (var tls in server.Tls)
            {
                // Port 0 (ephemeral) never clashes: each listener gets its own port.
                if (tls.Listen.Port == 0) continue;
                if (server.Listen.Contains(tls.Listen) || server.Tls.Count(t => t.Listen.Equals(tls.Listen)) > 1)
                    throw Error(table.Line, $"server.tls.listen: {tls.Listen} is used by more than one listener");
            }
            return server;
        }

        private List<TlsListenerConfig> MapTlsListeners(TomlEntry entry)
        {
            if (entry.Value is not TomlArrayNode array || !array.Items.All(item => item is TomlTableNode))
                throw Error(entry.Value.Line, $"server.tls: expected an array of tables ([[server.tls]]), got {Describe(entry.Value)}");
            var listeners = new List<TlsListenerConfig>(array.Items.Count);
            foreach (TomlNode item in array.Items) listeners.Add(MapTlsListener((TomlTableNode)item));
            return listeners;
        }

        private TlsListenerConfig MapTlsListener(TomlTableNode table)
        {
            IPEndPoint? listen = null;
            string? certificate = null, keyFile = null, clientCa = null;
            ClientCertificateMode? mode = null;
            int modeLine = table.Line;
            TimeSpan hsts = TlsListenerConfig.DefaultHstsMaxAge;
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "server.tls." + entry.Key;
                switch (entry.Key)
                {
                    case "listen":
                        var endPoints = ReadListen(entry.Value, key, allowEmpty: false);
                        if (endPoints.Count != 1)
                            throw Error(entry.Line, $"{key}: one \"host:port\" per [[server.tls]] block (add a block per address)");
                        listen = endPoints[0];
                        break;
                    case "certificate":
                        certificate = ReadString(entry.Value, key);
                        break;
                    case "key":
                        keyFile = ReadString(entry.Value, key);
                        break;
                    case "client_ca":
                        clientCa = ReadString(entry.Value, key);
                        break;
                    case "client_certificates":
                        modeLine = entry.Line;
                        mode = AsString(entry.Value) switch
                        {
                            "optional" => ClientCertificateMode.Optional,
                            "required" => ClientCertificateMode.Required,
                            _ => throw Error(entry.Line, $"{key}: expected one of optional, required, got {Describe(entry.Value)}"),
                        };
                        break;
                    case "hsts_max_age":
                        hsts = ReadDuration(entry.Value, key, allowZero: true);
                        break;
                    default:
                        throw UnknownKey(entry, key);
                }
            }
            if (listen is null) throw Error(table.Line, "server.tls: missing required key 'listen'");
            if (certificate is null) throw Error(table.Line, "server.tls: missing required key 'certificate' (PEM certificate chain)");
            if (keyFile is null) throw Error(table.Line, "server.tls: missing required key 'key' (PEM private key)");
            if (mode is not null && clientCa is null)
                throw Error(modeLine, "server.tls.client_certificates: needs client_ca (the CA file client certificates are checked against)");
            return new TlsListenerConfig
            {
                Listen = listen,
                CertificatePath = certificate,
                KeyPath = keyFile,
                ClientCaPath = clientCa,
                // A CA without a mode asks for a certificate but still serves clients without one.
                ClientCertificates = clientCa is null ? ClientCertificateMode.None : mode ?? ClientCertificateMode.Optional,
                HstsMaxAge = hsts,
            };
        }

        private PlainHttpPolicy ReadPlainHttp(TomlNode node, string key) => AsString(node) switch
        {
            "serve" => PlainHttpPolicy.Serve,
            "redirect" => PlainHttpPolicy.Redirect,
            "upgrade_required" => PlainHttpPolicy.UpgradeRequired,
            _ => throw Error(node.Line, $"{key}: expected one of serve, redirect, upgrade_required, got {Describe(node)}"),
        };

        private StorageConfig MapStorage(TomlTableNode table)
        {
            var storage = new StorageConfig();
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "storage." + entry.Key;
                TomlNode v = entry.Value;
                storage = entry.Key switch
                {
                    "durability" => storage with { Durability = ReadDurability(v, key) },
                    "segment_max_bytes" => storage with { SegmentMaxBytes = ReadSize(v, key, min: 1) },
                    "segment_max_age" => storage with { SegmentMaxAge = ReadDuration(v, key, allowZero: false) },
                    "retention_max_bytes" => storage with { RetentionMaxBytes = ReadSize(v, key, min: 0) },
                    "ring_bytes" => storage with { RingBytes = ReadSize(v, key, min: StorageConfig.MinRingBytes, max: Array.MaxLength) },
                    "block_max_bytes" => storage with { BlockMaxBytes = (int)ReadSize(v, key, min: 1, max: StorageConfig.MaxBlockBytes) },
                    "compression_level" => storage with { CompressionLevel = ReadCompressionLevel(v, key) },
                    "backpressure_wait" => storage with { BackpressureWait = ReadDuration(v, key, allowZero: true) },
                    _ => throw UnknownKey(entry, key),
                };
            }
            return storage;
        }

        private LimitsConfig MapLimits(TomlTableNode table)
        {
            var limits = new LimitsConfig();
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "limits." + entry.Key;
                TomlNode v = entry.Value;
                limits = entry.Key switch
                {
                    "max_body_bytes" => limits with { MaxBodyBytes = ReadSize(v, key, min: 1) },
                    "max_request_line_bytes" => limits with { MaxRequestLineBytes = (int)ReadSize(v, key, min: 1, max: int.MaxValue) },
                    "max_header_bytes" => limits with { MaxHeaderBytes = (int)ReadSize(v, key, min: 1, max: int.MaxValue) },
                    "max_header_count" => limits with { MaxHeaderCount = ReadInt(v, key, min: 1, max: int.MaxValue) },
                    "header_timeout" => limits with { HeaderTimeout = ReadDuration(v, key, allowZero: false) },
                    "idle_timeout" => limits with { IdleTimeout = ReadDuration(v, key, allowZero: false) },
                    "body_timeout" => limits with { BodyTimeout = ReadDuration(v, key, allowZero: false) },
                    "max_connections" => limits with { MaxConnections = ReadInt(v, key, min: 1, max: int.MaxValue) },
                    "stream_max_body_bytes" => limits with { StreamMaxBodyBytes = ReadSize(v, key, min: 1) },
                    "air_max_entries" => limits with { AirMaxEntries = ReadInt(v, key, min: 1, max: 1_000_000) },
                    "operyn_default_org_max_services" => limits with { OperynDefaultOrgMaxServices = ReadInt(v, key, min: 1, max: int.MaxValue) },
                    "idempotency_window" => limits with { IdempotencyWindow = ReadDuration(v, key, allowZero: false) },
                    "default_rate_limit_per_minute" => limits with { DefaultRateLimitPerMinute = ReadInt(v, key, min: 1, max: int.MaxValue) },
                    "sse_subscriber_buffer" => limits with { SseSubscriberBuffer = ReadInt(v, key, min: 1, max: 1_000_000) },
                    "tls_handshake_timeout" => limits with { TlsHandshakeTimeout = ReadDuration(v, key, allowZero: false) },
                    "max_tls_handshakes" => limits with { MaxTlsHandshakes = ReadInt(v, key, min: 1, max: int.MaxValue) },
                    "query_max_records" => limits with { QueryMaxRecords = ReadInt(v, key, min: 1, max: 10_000_000) },
                    "query_max_bytes" => limits with { QueryMaxBytes = ReadSize(v, key, min: 1024, max: 1024L * 1024 * 1024) },
                    "query_max_time" => limits with { QueryMaxTime = ReadDuration(v, key, allowZero: false) },
                    _ => throw UnknownKey(entry, key),
                };
            }
            return limits;
        }

        private AuthConfig MapAuth(TomlTableNode table)
        {
            var auth = new AuthConfig();
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "auth." + entry.Key;
                auth = entry.Key switch
                {
                    "jwt_hs256_secrets" => auth with { JwtHs256Secrets = ReadStringList(entry.Value, key, echoValues: false) },
                    "jwt_public_keys" => auth with { JwtPublicKeys = ReadStringList(entry.Value, key, echoValues: true) },
                    "admin_keys" => auth with { AdminKeys = ReadStringList(entry.Value, key, echoValues: false) },
                    _ => throw UnknownKey(entry, key),
                };
            }
            return auth;
        }

        private List<TenantConfig> MapTenants(TomlEntry entry)
        {
            if (entry.Value is not TomlArrayNode array || !array.Items.All(item => item is TomlTableNode))
                throw Error(entry.Value.Line, $"tenants: expected an array of tables ([[tenants]]), got {Describe(entry.Value)}");

            var tenants = new List<TenantConfig>(array.Items.Count);
            var idLines = new Dictionary<string, int>(StringComparer.Ordinal);
            var keyOwners = new Dictionary<string, (string Tenant, int Line)>(StringComparer.Ordinal);
            var fingerprintOwners = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (TomlNode item in array.Items)
            {
                var table = (TomlTableNode)item;
                TenantConfig tenant = MapTenant(table);

                int idLine = table.Entries.First(e => e.Key == "id").Value.Line;
                if (idLines.TryGetValue(tenant.Id, out int firstLine))
                    throw Error(idLine, $"tenants.id: tenant '{tenant.Id}' is defined twice (line {firstLine} and line {idLine})");
                idLines.Add(tenant.Id, idLine);

                var keysNode = table.Find("keys") as TomlArrayNode;
                for (int i = 0; i < tenant.Keys.Count; i++)
                {
                    int keyLine = keysNode?.Items[i].Line ?? table.Line;
                    // The key itself is a secret: name the tenants and lines, never the key.
                    if (keyOwners.TryGetValue(tenant.Keys[i], out var owner))
                    {
                        throw Error(keyLine, owner.Tenant == tenant.Id
                            ? $"tenants.keys: tenant '{tenant.Id}' lists the same key twice (line {owner.Line} and line {keyLine})"
                            : $"tenants.keys: a key of tenant '{tenant.Id}' is already used by tenant '{owner.Tenant}' (line {owner.Line})");
                    }
                    keyOwners.Add(tenant.Keys[i], (tenant.Id, keyLine));
                }
                foreach (string fingerprint in tenant.ClientCertificateSha256)
                {
                    // One certificate is one identity: it cannot stand for two tenants.
                    if (!fingerprintOwners.TryAdd(fingerprint, tenant.Id) && fingerprintOwners[fingerprint] != tenant.Id)
                        throw Error(table.Line, $"tenants.client_certificate_sha256: {fingerprint} is already mapped to tenant '{fingerprintOwners[fingerprint]}'");
                }
                tenants.Add(tenant);
            }
            return tenants;
        }

        private TenantConfig MapTenant(TomlTableNode table)
        {
            string? id = null;
            IReadOnlyList<string> keys = [];
            IReadOnlyList<string>? streams = null;
            IReadOnlyList<string> fingerprints = [];
            int rate = TenantConfig.DefaultRateLimitPerMinute;
            foreach (TomlEntry entry in table.Entries)
            {
                string key = "tenants." + entry.Key;
                switch (entry.Key)
                {
                    case "id":
                        id = ReadString(entry.Value, key);
                        break;
                    case "keys":
                        keys = ReadStringList(entry.Value, key, echoValues: false);
                        break;
                    case "streams":
                        streams = ReadStreamList(entry.Value, key);
                        break;
                    case "rate_limit_per_minute":
                        rate = ReadInt(entry.Value, key, min: 1, max: int.MaxValue);
                        break;
                    case "client_certificate_sha256":
                        fingerprints = ReadFingerprints(entry.Value, key);
                        break;
                    default:
                        throw UnknownKey(entry, key);
                }
            }
            if (id is null)
                throw Error(table.Line, "tenants: missing required key 'id'");
            return new TenantConfig { Id = id, Keys = keys, Streams = streams, RateLimitPerMinute = rate, ClientCertificateSha256 = fingerprints };
        }

        /// <summary>
        /// <c>tenants.client_certificate_sha256</c>: certificate fingerprints as <c>openssl x509 -noout -fingerprint -sha256</c>
        /// prints them (colons optional, any case), kept as 64 upper-case hex digits.
        /// </summary>
        private List<string> ReadFingerprints(TomlNode node, string key)
        {
            var list = ReadStringList(node, key, echoValues: true);
            var items = ((TomlArrayNode)node).Items;
            for (int i = 0; i < list.Count; i++)
            {
                string hex = list[i].Replace(":", "").Trim().ToUpperInvariant();
                if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
                    throw Error(items[i].Line, $"{key}: expected a SHA-256 fingerprint (64 hex digits, colons allowed), got \"{list[i]}\"");
                if (list.IndexOf(hex) is int first && first >= 0 && first < i)
                    throw Error(items[i].Line, $"{key}: \"{list[i]}\" is listed twice");
                list[i] = hex;
            }
            return list;
        }

        /// <summary><c>tenants.streams</c>: X-Stream-Id values, each usable as one (at most 256 bytes), none twice.</summary>
        private List<string> ReadStreamList(TomlNode node, string key)
        {
            var streams = ReadStringList(node, key, echoValues: true);
            // An empty list would shut the tenant out of the Streams endpoint; omitting the key is how to allow any stream.
            if (streams.Count == 0)
                throw Error(node.Line, $"{key}: must list at least one stream (leave the key out to allow any stream)");
            var items = ((TomlArrayNode)node).Items;
            for (int i = 0; i < streams.Count; i++)
            {
                if (Encoding.UTF8.GetByteCount(streams[i]) > StreamEventParser.MaxStreamIdLength)
                    throw Error(items[i].Line, $"{key}: \"{streams[i]}\" is longer than {StreamEventParser.MaxStreamIdLength} bytes, the longest X-Stream-Id accepted");
                int first = streams.IndexOf(streams[i]);
                if (first < i)
                    throw Error(items[i].Line, $"{key}: \"{streams[i]}\" is listed twice");
            }
            return streams;
        }

        private TomlArrayNode ExpectTableArray(TomlEntry entry) =>
            entry.Value is TomlArrayNode { IsTableArray: true } array
                ? array
                : throw Error(entry.Line, $"{entry.Key}: expected an array of tables ([[{entry.Key}]]), got {Describe(entry.Value)}");

        private TomlTableNode ExpectSection(TomlEntry entry) =>
            entry.Value as TomlTableNode
            ?? throw Error(entry.Line, $"{entry.Key}: expected a table ([{entry.Key}]), got {Describe(entry.Value)}");

        private List<IPEndPoint> ReadListen(TomlNode node, string key, bool allowEmpty)
        {
            // One address may be written as a plain string; several as an array.
            List<TomlNode> items = node is TomlArrayNode { IsTableArray: false } array ? array.Items : [node];
            if (items.Count == 0 && !allowEmpty)
                throw Error(node.Line, $"{key}: needs at least one \"host:port\"");
            var endPoints = new List<IPEndPoint>(items.Count);
            foreach (TomlNode item in items)
            {
                if (AsString(item) is not string text)
                    throw Error(item.Line, $"{key}: expected \"host:port\" string(s), got {Describe(item)}");
                if (ListenAddress.TryParse(text, out IPEndPoint endPoint) is string problem)
                    throw Error(item.Line, $"{key}: {problem}");
                if (endPoints.Contains(endPoint))
                    throw Error(item.Line, $"{key}: \"{text}\" is listed twice");
                endPoints.Add(endPoint);
            }
            return endPoints;
        }

        private string ReadString(TomlNode node, string key)
        {
            if (AsString(node) is not string text)
                throw Error(node.Line, $"{key}: expected a string, got {Describe(node)}");
            if (text.Length == 0)
                throw Error(node.Line, $"{key}: must not be empty");
            return text;
        }

        private List<string> ReadStringList(TomlNode node, string key, bool echoValues)
        {
            if (node is not TomlArrayNode { IsTableArray: false } array)
                throw Error(node.Line, $"{key}: expected an array of strings, got {Describe(node)}");
            var list = new List<string>(array.Items.Count);
            foreach (TomlNode item in array.Items)
            {
                if (AsString(item) is not string text)
                    throw Error(item.Line, $"{key}: expected an array of strings, got an element {(echoValues ? Describe(item) : KindOf(item))}");
                if (text.Length == 0)
                    throw Error(item.Line, $"{key}: strings must not be empty");
                list.Add(text);
            }
            return list;
        }

        private Durability ReadDurability(TomlNode node, string key) => AsString(node) switch
        {
            "memory" => Durability.Memory,
            "write" => Durability.Write,
            "fsync" => Durability.Fsync,
            _ => throw Error(node.Line, $"{key}: expected one of memory, write, fsync, got {Describe(node)}"),
        };

        private int ReadInt(TomlNode node, string key, int min, int max)
        {
            if (node is not TomlScalarNode { Syntax: IntegerValueSyntax integer })
                throw Error(node.Line, $"{key}: expected an integer, got {Describe(node)}");
            if (integer.Value < min || integer.Value > max)
                throw Error(node.Line, max == int.MaxValue
                    ? $"{key}: must be at least {min}, got {integer.Value}"
                    : $"{key}: must be between {min} and {max}, got {integer.Value}");
            return (int)integer.Value;
        }

        // zstd's levels 1..19 and its fast levels down to -5 (faster, larger: the benchmarks' zstd-params). 0 would be
        // zstd's "default" (3), which reads like "off": refused with the choices instead.
        private int ReadCompressionLevel(TomlNode node, string key)
        {
            int level = ReadInt(node, key, min: StorageConfig.FastestCompressionLevel, max: StorageConfig.SmallestCompressionLevel);
            if (level == 0)
                throw Error(node.Line, $"{key}: 0 is not a level: 1 (fast) .. 19 (small), or -1 .. -5 for zstd's faster, larger fast levels");
            return level;
        }

        private long ReadSize(TomlNode node, string key, long min, long max = long.MaxValue)
        {
            long bytes;
            if (node is TomlScalarNode { Syntax: IntegerValueSyntax integer })
            {
                bytes = integer.Value;
                if (bytes < 0)
                    throw Error(node.Line, $"{key}: must not be negative, got {Describe(node)}");
            }
            else if (AsString(node) is string text)
            {
                if (text.AsSpan().Trim().StartsWith("-"))
                    throw Error(node.Line, $"{key}: must not be negative, got {Describe(node)}");
                if (!ConfigUnits.TryParseSize(text, out bytes))
                    throw Error(node.Line, $"{key}: expected {SizeHint}, got {Describe(node)}");
            }
            else
            {
                throw Error(node.Line, $"{key}: expected {SizeHint}, got {Describe(node)}");
            }
            if (bytes < min)
                throw Error(node.Line, $"{key}: must be at least {FormatSize(min)}, got {Describe(node)}");
            if (bytes > max)
                throw Error(node.Line, $"{key}: must be at most {FormatSize(max)}, got {Describe(node)}");
            return bytes;
        }

        private TimeSpan ReadDuration(TomlNode node, string key, bool allowZero)
        {
            TimeSpan duration;
            if (node is TomlScalarNode { Syntax: IntegerValueSyntax integer })
            {
                if (integer.Value < 0)
                    throw Error(node.Line, $"{key}: must not be negative, got {Describe(node)}");
                if (!ConfigUnits.TryFromSeconds(integer.Value, out duration))
                    throw Error(node.Line, $"{key}: expected {DurationHint}, got {Describe(node)}");
            }
            else if (AsString(node) is string text)
            {
                if (text.AsSpan().Trim().StartsWith("-"))
                    throw Error(node.Line, $"{key}: must not be negative, got {Describe(node)}");
                if (!ConfigUnits.TryParseDuration(text, out duration))
                    throw Error(node.Line, $"{key}: expected {DurationHint}, got {Describe(node)}");
            }
            else
            {
                throw Error(node.Line, $"{key}: expected {DurationHint}, got {Describe(node)}");
            }
            if (!allowZero && duration == TimeSpan.Zero)
                throw Error(node.Line, $"{key}: must be greater than zero, got {Describe(node)}");
            return duration;
        }

        private static string? AsString(TomlNode node) =>
            node is TomlScalarNode { Syntax: StringValueSyntax s } ? s.Value ?? "" : null;

        /// <summary>What the file actually holds, for "expected X, got Y".</summary>
        private static string Describe(TomlNode node) => node switch
        {
            TomlScalarNode { Syntax: StringValueSyntax s } => $"\"{s.Value}\"",
            TomlScalarNode { Syntax: IntegerValueSyntax i } => $"integer {i.Value}",
            TomlScalarNode { Syntax: BooleanValueSyntax b } => $"boolean {(b.Value ? "true" : "false")}",
            TomlScalarNode { Syntax: FloatValueSyntax f } => $"float {f.Token?.Text}",
            TomlScalarNode { Syntax: DateTimeValueSyntax d } => $"date-time {d.Token?.Text}",
            _ => KindOf(node),
        };

        private static string KindOf(TomlNode node) => node switch
        {
            TomlScalarNode { Syntax: StringValueSyntax } => "a string",
            TomlScalarNode { Syntax: IntegerValueSyntax } => "an integer",
            TomlScalarNode { Syntax: BooleanValueSyntax } => "a boolean",
            TomlScalarNode { Syntax: FloatValueSyntax } => "a float",
            TomlScalarNode { Syntax: DateTimeValueSyntax } => "a date-time",
            TomlArrayNode { IsTableArray: true } => "an array of tables",
            TomlArrayNode => "an array",
            TomlTableNode => "a table",
            _ => "a value",
        };

        private static string FormatSize(long bytes) =>
            bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? $"{bytes >> 20}MiB"
            : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? $"{bytes >> 10}KiB"
            : $"{bytes} bytes";

        private ConfigException UnknownKey(TomlEntry entry, string key) => Error(entry.Line, $"unknown key '{key}'");

        private ConfigException Error(int line, string message) => new($"{sourceName}:{line}: {message}");
    }
}
