using System.Net;
using Ingestd.Config;

namespace Ingestd.Tests.Config;

public class ConfigLoaderTests
{
    private static IngestdConfig Load(string text) => ConfigLoader.Parse(text, "ingestd.conf");

    private static string Fail(string text) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "ingestd.conf")).Message;

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n\n")]
    [InlineData("[server]\n[storage]\n[limits]\n[auth]\n")]
    public void Empty_file_gives_defaults(string text)
    {
        Assert.Equal(IngestdConfig.Defaults, Load(text));
    }

    [Fact]
    public void Defaults_match_the_design()
    {
        IngestdConfig d = IngestdConfig.Defaults;
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 8080)], d.Server.Listen);
        Assert.Equal("./data", d.Server.DataDir);
        Assert.Equal(Durability.Write, d.Storage.Durability);
        Assert.Equal(256L << 20, d.Storage.SegmentMaxBytes);
        Assert.Equal(TimeSpan.FromHours(1), d.Storage.SegmentMaxAge);
        Assert.Equal(0, d.Storage.RetentionMaxBytes);
        Assert.Equal(64L << 20, d.Storage.RingBytes);
        Assert.Equal(1 << 20, d.Storage.BlockMaxBytes);
        Assert.Equal(1, d.Storage.CompressionLevel);
        Assert.Equal(TimeSpan.FromMilliseconds(100), d.Storage.BackpressureWait);
        Assert.Equal(50L << 20, d.Limits.MaxBodyBytes);
        Assert.Equal(8 << 10, d.Limits.MaxRequestLineBytes);
        Assert.Equal(32 << 10, d.Limits.MaxHeaderBytes);
        Assert.Equal(100, d.Limits.MaxHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(10), d.Limits.HeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), d.Limits.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), d.Limits.BodyTimeout);
        Assert.Equal(10000, d.Limits.MaxConnections);
        Assert.Empty(d.Auth.JwtHs256Secrets);
        Assert.Empty(d.Auth.JwtPublicKeys);
        Assert.Empty(d.Tenants);
    }

    [Fact]
    public void Server_keys_are_read()
    {
        IngestdConfig c = Load("""
            [server]
            listen = ["0.0.0.0:9000", "[::1]:0"]
            data_dir = "/var/lib/ingestd"
            """);
        Assert.Equal([new IPEndPoint(IPAddress.Any, 9000), new IPEndPoint(IPAddress.IPv6Loopback, 0)], c.Server.Listen);
        Assert.Equal("/var/lib/ingestd", c.Server.DataDir);
    }

    [Fact]
    public void Listen_accepts_a_single_string()
    {
        IngestdConfig c = Load("[server]\nlisten = \"localhost:0\"\n");
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 0)], c.Server.Listen);
    }

    [Fact]
    public void Storage_keys_are_read()
    {
        IngestdConfig c = Load("""
            [storage]
            durability = "fsync"
            segment_max_bytes = "1 GB"
            segment_max_age = "5m"
            retention_max_bytes = 1048576
            ring_bytes = "64KiB"
            block_max_bytes = "256KiB"
            compression_level = 19
            backpressure_wait = "0ms"
            """);
        StorageConfig s = c.Storage;
        Assert.Equal(Durability.Fsync, s.Durability);
        Assert.Equal(1_000_000_000L, s.SegmentMaxBytes);
        Assert.Equal(TimeSpan.FromMinutes(5), s.SegmentMaxAge);
        Assert.Equal(1_048_576L, s.RetentionMaxBytes);
        Assert.Equal(65_536L, s.RingBytes);
        Assert.Equal(262_144, s.BlockMaxBytes);
        Assert.Equal(19, s.CompressionLevel);
        Assert.Equal(TimeSpan.Zero, s.BackpressureWait);
    }

    [Theory]
    [InlineData("memory", "Memory")]
    [InlineData("write", "Write")]
    [InlineData("fsync", "Fsync")]
    public void Durability_values_are_read(string text, string expected)
    {
        Assert.Equal(expected, Load($"[storage]\ndurability = \"{text}\"\n").Storage.Durability.ToString());
    }

    [Fact]
    public void Limits_keys_are_read()
    {
        IngestdConfig c = Load("""
            [limits]
            max_body_bytes = "1MB"
            max_request_line_bytes = 4096
            max_header_bytes = "16KiB"
            max_header_count = 50
            header_timeout = "2s"
            idle_timeout = 60
            body_timeout = "1m"
            max_connections = 5
            """);
        LimitsConfig l = c.Limits;
        Assert.Equal(1_000_000L, l.MaxBodyBytes);
        Assert.Equal(4096, l.MaxRequestLineBytes);
        Assert.Equal(16384, l.MaxHeaderBytes);
        Assert.Equal(50, l.MaxHeaderCount);
        Assert.Equal(TimeSpan.FromSeconds(2), l.HeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), l.IdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), l.BodyTimeout);
        Assert.Equal(5, l.MaxConnections);
    }

    [Fact]
    public void Auth_keys_are_read()
    {
        IngestdConfig c = Load("""
            [auth]
            jwt_hs256_secrets = ["s1", "s2"]
            jwt_public_keys = ["/etc/ingestd/air.pem"]
            """);
        Assert.Equal(["s1", "s2"], c.Auth.JwtHs256Secrets);
        Assert.Equal(["/etc/ingestd/air.pem"], c.Auth.JwtPublicKeys);
    }

    [Fact]
    public void Admin_keys_and_query_caps_are_read()
    {
        IngestdConfig c = Load("""
            [auth]
            admin_keys = ["adm-1"]
            [limits]
            query_max_records = 500
            query_max_bytes = "2MiB"
            query_max_time = "3s"
            """);
        Assert.Equal(["adm-1"], c.Auth.AdminKeys);
        Assert.Equal(500, c.Limits.QueryMaxRecords);
        Assert.Equal(2L * 1024 * 1024, c.Limits.QueryMaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(3), c.Limits.QueryMaxTime);
    }

    [Fact]
    public void Tenants_are_read_in_order_with_default_rate_limit()
    {
        IngestdConfig c = Load("""
            [[tenants]]
            id = "org-xyz"
            keys = ["tok-123", "tok-456"]

            [[tenants]]
            id = "org-abc"
            rate_limit_per_minute = 600
            """);
        Assert.Equal(
            [
                new TenantConfig { Id = "org-xyz", Keys = ["tok-123", "tok-456"], RateLimitPerMinute = 120 },
                new TenantConfig { Id = "org-abc", Keys = [], RateLimitPerMinute = 600 },
            ],
            c.Tenants);
    }

    [Fact]
    public void Tenant_streams_list_is_read_in_order()
    {
        IngestdConfig c = Load("""
            [[tenants]]
            id = "org-xyz"
            keys = ["tok-123"]
            streams = ["a0c3b4de-1923-4ff1-8dba-f92ad912d20f", "checkout-events"]
            """);
        Assert.Equal(["a0c3b4de-1923-4ff1-8dba-f92ad912d20f", "checkout-events"], c.Tenants[0].Streams);
    }

    [Fact]
    public void Tenant_without_streams_key_has_no_stream_restriction()
    {
        Assert.Null(Load("[[tenants]]\nid = \"a\"\nkeys = [\"k\"]\n").Tenants[0].Streams);
    }

    [Fact]
    public void Tenants_differing_only_in_streams_are_not_equal()
    {
        // A reload compares tenant configs: a changed streams list must count as a change.
        var a = new TenantConfig { Id = "a", Keys = ["k"], Streams = ["s1"] };
        Assert.NotEqual(a, a with { Streams = ["s2"] });
        Assert.NotEqual(a, a with { Streams = null });
        Assert.Equal(a, a with { Streams = ["s1"] });
    }

    [Theory]
    [InlineData("[[tenants]]\nid = \"a\"\nstreams = []\n",
        "ingestd.conf:3: tenants.streams: must list at least one stream (leave the key out to allow any stream)")]
    [InlineData("[[tenants]]\nid = \"a\"\nstreams = [\"s\", \"s\"]\n", "ingestd.conf:3: tenants.streams: \"s\" is listed twice")]
    [InlineData("[[tenants]]\nid = \"a\"\nstreams = [\"\"]\n", "ingestd.conf:3: tenants.streams: strings must not be empty")]
    [InlineData("[[tenants]]\nid = \"a\"\nstreams = \"s\"\n", "ingestd.conf:3: tenants.streams: expected an array of strings, got \"s\"")]
    [InlineData("[[tenants]]\nid = \"a\"\nstreams = [1]\n", "ingestd.conf:3: tenants.streams: expected an array of strings, got an element integer 1")]
    public void Bad_tenant_streams_list_names_the_key_and_line(string text, string expected)
    {
        Assert.Equal(expected, Fail(text));
    }

    [Fact]
    public void Tenant_stream_longer_than_an_accepted_x_stream_id_is_rejected()
    {
        string message = Fail($"[[tenants]]\nid = \"a\"\nstreams = [\"{new string('s', 257)}\"]\n");
        Assert.StartsWith("ingestd.conf:3: tenants.streams: ", message);
        Assert.EndsWith("is longer than 256 bytes, the longest X-Stream-Id accepted", message);
    }

    [Fact]
    public void Tenants_may_be_written_as_an_inline_array()
    {
        IngestdConfig c = Load("tenants = [{ id = \"a\", keys = [\"k\"] }]\n");
        Assert.Equal([new TenantConfig { Id = "a", Keys = ["k"] }], c.Tenants);
    }

    [Fact]
    public void Dotted_keys_and_quoted_keys_are_the_same_keys()
    {
        IngestdConfig c = Load("storage.durability = \"memory\"\n[limits]\n\"max_connections\" = 7\n");
        Assert.Equal(Durability.Memory, c.Storage.Durability);
        Assert.Equal(7, c.Limits.MaxConnections);
    }

    [Fact]
    public void Unknown_key_names_key_and_line()
    {
        Assert.Equal(
            "ingestd.conf:3: unknown key 'storage.durabilty'",
            Fail("[storage]\nsegment_max_age = \"1h\"\ndurabilty = \"write\"\n"));
    }

    [Fact]
    public void Unknown_section_names_section_and_line()
    {
        Assert.Equal("ingestd.conf:2: unknown section 'storag'", Fail("\n[storag]\ndurability = \"write\"\n"));
    }

    [Fact]
    public void Unknown_top_level_key_is_rejected()
    {
        Assert.Equal("ingestd.conf:1: unknown key 'listen'", Fail("listen = [\"127.0.0.1:1\"]\n"));
    }

    [Fact]
    public void Unknown_tenant_key_is_rejected()
    {
        Assert.Equal("ingestd.conf:3: unknown key 'tenants.key'", Fail("[[tenants]]\nid = \"a\"\nkey = \"k\"\n"));
    }

    [Fact]
    public void Bad_enum_value_names_choices_and_value()
    {
        Assert.Equal(
            "ingestd.conf:4: storage.durability: expected one of memory, write, fsync, got \"fsink\"",
            Fail("# x\n\n[storage]\ndurability = \"fsink\"\n"));
    }

    [Theory]
    [InlineData("[storage]\ndurability = 1\n", "ingestd.conf:2: storage.durability: expected one of memory, write, fsync, got integer 1")]
    [InlineData("[server]\ndata_dir = 5\n", "ingestd.conf:2: server.data_dir: expected a string, got integer 5")]
    [InlineData("[server]\nlisten = true\n", "ingestd.conf:2: server.listen: expected \"host:port\" string(s), got boolean true")]
    [InlineData("[limits]\nmax_connections = \"many\"\n", "ingestd.conf:2: limits.max_connections: expected an integer, got \"many\"")]
    [InlineData("[limits]\nmax_header_count = 1.5\n", "ingestd.conf:2: limits.max_header_count: expected an integer, got float 1.5")]
    [InlineData("[auth]\njwt_public_keys = \"a.pem\"\n", "ingestd.conf:2: auth.jwt_public_keys: expected an array of strings, got \"a.pem\"")]
    [InlineData("server = 1\n", "ingestd.conf:1: server: expected a table ([server]), got integer 1")]
    [InlineData("[tenants]\nid = \"a\"\n", "ingestd.conf:1: tenants: expected an array of tables ([[tenants]]), got a table")]
    public void Wrong_type_names_key_expected_and_got(string text, string expected)
    {
        Assert.Equal(expected, Fail(text));
    }

    [Fact]
    public void Bad_size_names_key_and_value()
    {
        string message = Fail("[storage]\nsegment_max_bytes = \"12 parsecs\"\n");
        Assert.StartsWith("ingestd.conf:2: storage.segment_max_bytes: expected a size", message);
        Assert.EndsWith("got \"12 parsecs\"", message);
    }

    [Fact]
    public void Bad_duration_names_key_and_value()
    {
        string message = Fail("[limits]\n\nidle_timeout = \"3 weeks\"\n");
        Assert.StartsWith("ingestd.conf:3: limits.idle_timeout: expected a duration", message);
        Assert.EndsWith("got \"3 weeks\"", message);
    }

    [Theory]
    [InlineData("[storage]\nretention_max_bytes = -1\n", "ingestd.conf:2: storage.retention_max_bytes: must not be negative, got integer -1")]
    [InlineData("[storage]\nretention_max_bytes = \"-1MiB\"\n", "ingestd.conf:2: storage.retention_max_bytes: must not be negative, got \"-1MiB\"")]
    [InlineData("[limits]\nbody_timeout = -5\n", "ingestd.conf:2: limits.body_timeout: must not be negative, got integer -5")]
    [InlineData("[storage]\nbackpressure_wait = \"-5ms\"\n", "ingestd.conf:2: storage.backpressure_wait: must not be negative, got \"-5ms\"")]
    public void Negative_values_are_rejected(string text, string expected)
    {
        Assert.Equal(expected, Fail(text));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-5)]
    public void A_fast_zstd_level_is_a_compression_level(int level)
    {
        var c = ConfigLoader.Parse($"[storage]\ncompression_level = {level}\n", "ingestd.conf");
        Assert.Equal(level, c.Storage.CompressionLevel);
    }

    [Theory]
    [InlineData("[storage]\ncompression_level = 0\n", "ingestd.conf:2: storage.compression_level: 0 is not a level: 1 (fast) .. 19 (small), or -1 .. -5 for zstd's faster, larger fast levels")]
    [InlineData("[storage]\ncompression_level = 20\n", "ingestd.conf:2: storage.compression_level: must be between -5 and 19, got 20")]
    [InlineData("[storage]\ncompression_level = -6\n", "ingestd.conf:2: storage.compression_level: must be between -5 and 19, got -6")]
    [InlineData("[storage]\nring_bytes = \"32KiB\"\n", "ingestd.conf:2: storage.ring_bytes: must be at least 64KiB, got \"32KiB\"")]
    [InlineData("[storage]\nsegment_max_age = \"0s\"\n", "ingestd.conf:2: storage.segment_max_age: must be greater than zero, got \"0s\"")]
    [InlineData("[limits]\nmax_body_bytes = 0\n", "ingestd.conf:2: limits.max_body_bytes: must be at least 1 bytes, got integer 0")]
    [InlineData("[limits]\nmax_header_bytes = \"3GiB\"\n", "ingestd.conf:2: limits.max_header_bytes: must be at most 2147483647 bytes, got \"3GiB\"")]
    [InlineData("[[tenants]]\nid = \"a\"\nrate_limit_per_minute = 0\n", "ingestd.conf:3: tenants.rate_limit_per_minute: must be at least 1, got 0")]
    [InlineData("[limits]\nquery_max_records = 0\n", "ingestd.conf:2: limits.query_max_records: must be between 1 and 10000000, got 0")]
    [InlineData("[limits]\nquery_max_time = \"0s\"\n", "ingestd.conf:2: limits.query_max_time: must be greater than zero, got \"0s\"")]
    public void Out_of_range_values_are_rejected(string text, string expected)
    {
        Assert.Equal(expected, Fail(text));
    }

    [Theory]
    [InlineData("[server]\nlisten = [\"127.0.0.1:8080\",\n  \"127.0.0.1:99999\"]\n", "ingestd.conf:3: server.listen: port must be 0..65535, got \"127.0.0.1:99999\"")]
    [InlineData("[server]\nlisten = []\n", "ingestd.conf:2: server.listen: needs at least one \"host:port\"")]
    [InlineData("[server]\nlisten = [\"localhost:1\", \"127.0.0.1:1\"]\n", "ingestd.conf:2: server.listen: \"127.0.0.1:1\" is listed twice")]
    [InlineData("[server]\nlisten = [\"example.com:80\"]\n", "ingestd.conf:2: server.listen: host must be an IP address or localhost, got \"example.com:80\"")]
    public void Bad_listen_names_the_element_line(string text, string expected)
    {
        Assert.Equal(expected, Fail(text));
    }

    [Theory]
    [InlineData("[[tenants]]\nkeys = [\"k\"]\n", "ingestd.conf:1: tenants: missing required key 'id'")]
    [InlineData("[[tenants]]\nid = \"\"\n", "ingestd.conf:2: tenants.id: must not be empty")]
    [InlineData("[[tenants]]\nid = \"a\"\nkeys = [\"k\", \"\"]\n", "ingestd.conf:3: tenants.keys: strings must not be empty")]
    [InlineData("[auth]\njwt_hs256_secrets = [\"\"]\n", "ingestd.conf:2: auth.jwt_hs256_secrets: strings must not be empty")]
    public void Tenant_and_auth_values_must_be_present(string text, string expected)
    {
        Assert.Equal(expected, Fail(text));
    }

    [Fact]
    public void Duplicate_tenant_id_names_both_lines()
    {
        Assert.Equal(
            "ingestd.conf:5: tenants.id: tenant 'a' is defined twice (line 2 and line 5)",
            Fail("[[tenants]]\nid = \"a\"\n\n[[tenants]]\nid = \"a\"\n"));
    }

    [Fact]
    public void Key_shared_by_two_tenants_names_both_tenants_but_not_the_key()
    {
        string message = Fail("""
            [[tenants]]
            id = "a"
            keys = ["secret-1"]
            [[tenants]]
            id = "b"
            keys = ["other", "secret-1"]
            """);
        Assert.Equal("ingestd.conf:6: tenants.keys: a key of tenant 'b' is already used by tenant 'a' (line 3)", message);
        Assert.DoesNotContain("secret-1", message);
    }

    [Fact]
    public void Key_listed_twice_in_one_tenant_is_rejected()
    {
        Assert.Equal(
            "ingestd.conf:3: tenants.keys: tenant 'a' lists the same key twice (line 3 and line 3)",
            Fail("[[tenants]]\nid = \"a\"\nkeys = [\"k\", \"k\"]\n"));
    }

    [Fact]
    public void Syntax_error_reports_file_line_and_column()
    {
        string message = Fail("[server]\nlisten = \n");
        Assert.StartsWith("ingestd.conf:2:10: ", message);
    }

    [Fact]
    public void Redefined_key_is_a_syntax_error_with_position()
    {
        Assert.StartsWith("ingestd.conf:3:1: ", Fail("[storage]\ndurability = \"write\"\ndurability = \"fsync\"\n"));
    }

    [Fact]
    public void Missing_file_says_cannot_read_and_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), "ingestd-no-such-dir-" + Guid.NewGuid().ToString("N"), "ingestd.conf");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path));
        Assert.StartsWith($"cannot read {path}: ", e.Message);
    }

    [Fact]
    public void LoadFile_uses_the_path_in_messages()
    {
        string path = Path.Combine(Path.GetTempPath(), "ingestd-test-" + Guid.NewGuid().ToString("N") + ".conf");
        File.WriteAllText(path, "[storage]\ndurability = \"fsink\"\n");
        try
        {
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path));
            Assert.StartsWith($"{path}:2: storage.durability", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Example_file_parses_to_the_defaults()
    {
        string example = Path.Combine(RepoRoot(), "ingestd.conf.example");
        Assert.Equal(IngestdConfig.Defaults, ConfigLoader.LoadFile(example));
    }

    [Fact]
    public void Example_file_tenant_block_parses_when_uncommented()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoRoot(), "ingestd.conf.example"));
        int header = Array.FindIndex(lines, l => l.StartsWith("# [[tenants]]", StringComparison.Ordinal));
        Assert.True(header >= 0, "the example documents a [[tenants]] block");
        for (int i = header; i < lines.Length && lines[i].StartsWith("# ", StringComparison.Ordinal); i++)
            lines[i] = lines[i][2..];

        IngestdConfig c = ConfigLoader.Parse(string.Join('\n', lines), "ingestd.conf.example");
        Assert.Equal([new TenantConfig { Id = "org-xyz", Keys = ["tok-123"], RateLimitPerMinute = 120,
            Streams = ["a0c3b4de-1923-4ff1-8dba-f92ad912d20f"] }], c.Tenants);
    }

    [Fact]
    public void Example_file_output_block_parses_when_uncommented()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepoRoot(), "ingestd.conf.example"));
        int header = Array.FindIndex(lines, l => l.StartsWith("# [[outputs]]", StringComparison.Ordinal));
        Assert.True(header >= 0, "the example documents an [[outputs]] block");
        for (int i = header; i < lines.Length && lines[i].StartsWith("# ", StringComparison.Ordinal); i++)
            lines[i] = lines[i][2..];

        IngestdConfig c = ConfigLoader.Parse(string.Join('\n', lines), "ingestd.conf.example");
        var output = Assert.Single(c.Outputs);
        Assert.Equal("siem", output.Name);
        Assert.Equal(["error", "warn"], output.Match.Levels);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ingestd.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Ingestd.slnx not found above " + AppContext.BaseDirectory);
    }
}
