using System.Net;
using Ingestd.Cli;
using Ingestd.Config;

namespace Ingestd.Tests.Cli;

public class CommandLineTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 31, 12, 0, 0, TimeSpan.Zero);

    private static CliCommand Parse(params string[] args) => CommandLine.Parse(args, Now);

    private static string Fail(params string[] args) =>
        Assert.Throws<CliUsageException>(() => CommandLine.Parse(args, Now)).Message;

    [Fact]
    public void No_arguments_serves_on_defaults()
    {
        CliCommand c = Parse();
        Assert.Equal("Serve", c.Verb.ToString());
        Assert.Null(c.ConfigPath);
        Assert.Empty(c.ListenOverrides);
        Assert.Null(c.DataDirOverride);
    }

    [Fact]
    public void Serve_takes_config_listen_and_data_dir()
    {
        CliCommand c = Parse("--config", "/etc/ingestd/ingestd.conf", "--listen", "127.0.0.1:0", "--listen=[::1]:9000", "--data-dir", "/tmp/d");
        Assert.Equal("Serve", c.Verb.ToString());
        Assert.Equal("/etc/ingestd/ingestd.conf", c.ConfigPath);
        Assert.Equal(["127.0.0.1:0", "[::1]:9000"], c.ListenOverrides);
        Assert.Equal("/tmp/d", c.DataDirOverride);
    }

    [Fact]
    public void Equals_form_is_the_same_as_separate_value()
    {
        Assert.Equal(Parse("--config", "a.conf", "--data-dir", "d"), Parse("--config=a.conf", "--data-dir=d"));
    }

    [Fact]
    public void Equals_form_keeps_later_equals_signs_in_the_value()
    {
        Assert.Equal("a=b.conf", Parse("--config=a=b.conf").ConfigPath);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-V")]
    [InlineData("version")]
    [InlineData("--config", "x", "--version")]
    public void Version_flags_ask_for_version(params string[] args)
    {
        Assert.Equal("Version", Parse(args).Verb.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("read", "--help")]
    [InlineData("--bogus", "--help")]
    public void Help_flags_ask_for_help(params string[] args)
    {
        Assert.Equal("Help", Parse(args).Verb.ToString());
    }

    [Fact]
    public void Read_takes_paths_filters_and_follow()
    {
        CliCommand c = Parse(
            "read", "data/a.seg", "data/b.seg",
            "--since", "2024-05-31T10:00:00Z", "--until=2024-05-31T13:00:00+02:00",
            "--tenant", "org-xyz", "--service", "api", "--level", "error",
            "--kind", "Metric", "--dialect=guardian", "--follow",
            "--config", "c.conf", "--data-dir", "/d");
        Assert.Equal("Read", c.Verb.ToString());
        Assert.Equal(["data/a.seg", "data/b.seg"], c.Paths);
        Assert.Equal(new DateTimeOffset(2024, 5, 31, 10, 0, 0, TimeSpan.Zero), c.Since);
        Assert.Equal(new DateTimeOffset(2024, 5, 31, 11, 0, 0, TimeSpan.Zero), c.Until);
        Assert.Equal("org-xyz", c.Tenant);
        Assert.Equal("api", c.Service);
        Assert.Equal("error", c.Level);
        Assert.Equal("metric", c.Kind);
        Assert.Equal("guardian", c.Dialect);
        Assert.True(c.Follow);
        Assert.Equal("c.conf", c.ConfigPath);
        Assert.Equal("/d", c.DataDirOverride);
    }

    [Fact]
    public void Read_takes_a_stream_filter()
    {
        Assert.Equal("a0c3b4de-1923-4ff1-8dba-f92ad912d20f", Parse("read", "--stream", "a0c3b4de-1923-4ff1-8dba-f92ad912d20f").Stream);
    }

    [Fact]
    public void Verify_takes_reindex_and_paths()
    {
        CliCommand c = Parse("verify", "--reindex", "/data/00000000000000000000.seg");
        Assert.Equal(CliVerb.Verify, c.Verb);
        Assert.True(c.Reindex);
        Assert.Equal(["/data/00000000000000000000.seg"], c.Paths);
        Assert.False(Parse("verify").Reindex);
    }

    [Fact]
    public void Read_without_arguments_reads_the_data_dir()
    {
        CliCommand c = Parse("read");
        Assert.Equal("Read", c.Verb.ToString());
        Assert.Empty(c.Paths);
        Assert.Null(c.Since);
        Assert.False(c.Follow);
    }

    [Theory]
    [InlineData("15m", 11, 45)]
    [InlineData("2h", 10, 0)]
    [InlineData("90s", 11, 58)]
    public void Relative_since_counts_back_from_now(string ago, int hour, int minute)
    {
        DateTimeOffset? since = Parse("read", "--since", ago).Since;
        Assert.Equal(new DateTimeOffset(2024, 5, 31, hour, minute, ago == "90s" ? 30 : 0, TimeSpan.Zero), since);
    }

    [Fact]
    public void Relative_since_in_days()
    {
        Assert.Equal(Now.AddDays(-1), Parse("read", "--since=1d").Since);
    }

    [Fact]
    public void Timestamp_without_offset_is_utc()
    {
        Assert.Equal(new DateTimeOffset(2024, 5, 31, 15, 30, 45, TimeSpan.Zero), Parse("read", "--since", "2024-05-31 15:30:45").Since);
    }

    [Fact]
    public void Verify_takes_paths()
    {
        CliCommand c = Parse("verify", "a.seg", "--data-dir", "/d", "b.seg");
        Assert.Equal("Verify", c.Verb.ToString());
        Assert.Equal(["a.seg", "b.seg"], c.Paths);
        Assert.Equal("/d", c.DataDirOverride);
    }

    [Fact]
    public void Double_dash_ends_options()
    {
        Assert.Equal(["--weird-name.seg"], Parse("verify", "--", "--weird-name.seg").Paths);
    }

    [Theory]
    [InlineData(new[] { "--frobnicate" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "read", "--frobnicate=1" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "-x" }, "unknown option '-x'")]
    [InlineData(new[] { "frob" }, "unknown command 'frob'")]
    [InlineData(new[] { "--config", "a", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "--config" }, "option '--config' needs a value")]
    [InlineData(new[] { "--config", "--listen", "127.0.0.1:1" }, "option '--config' needs a value")]
    [InlineData(new[] { "--data-dir=" }, "option '--data-dir' needs a non-empty value")]
    [InlineData(new[] { "--config", "a", "--config", "b" }, "option '--config' is given twice")]
    [InlineData(new[] { "read", "--listen", "127.0.0.1:1" }, "option '--listen' does not apply to 'ingestd read'")]
    [InlineData(new[] { "verify", "--since", "1h" }, "option '--since' does not apply to 'ingestd verify'")]
    [InlineData(new[] { "--follow" }, "option '--follow' does not apply to 'ingestd'")]
    [InlineData(new[] { "read", "--follow=yes" }, "option '--follow' takes no value")]
    [InlineData(new[] { "read", "--reindex" }, "option '--reindex' does not apply to 'ingestd read'")]
    [InlineData(new[] { "verify", "--reindex=yes" }, "option '--reindex' takes no value")]
    [InlineData(new[] { "--listen", "127.0.0.1" }, "--listen: expected \"host:port\"")]
    [InlineData(new[] { "--listen", "127.0.0.1:70000" }, "--listen: port must be 0..65535")]
    [InlineData(new[] { "read", "--since", "yesterday" }, "--since: expected an RFC 3339 time")]
    [InlineData(new[] { "read", "--until", "2024-13-01T00:00:00Z" }, "--until: expected an RFC 3339 time")]
    [InlineData(new[] { "read", "--since", "15" }, "--since: expected an RFC 3339 time")]
    [InlineData(new[] { "read", "--since", "1h", "--until", "2h" }, "--since is later than --until")]
    [InlineData(new[] { "read", "--kind", "banana" }, "--kind: expected one of log, event, metric, deployment, message, trace; got 'banana'")]
    [InlineData(new[] { "read", "--dialect", "3" }, "--dialect: expected one of astralog, streams, guardian, operyn, air, elastic, loki, otlp, splunk, gelf, journal; got '3'")]
    public void Bad_command_lines_say_what_is_wrong(string[] args, string expected)
    {
        Assert.Contains(expected, Fail(args));
    }

    [Fact]
    public void Overrides_beat_the_file()
    {
        IngestdConfig file = ConfigLoader.Parse("[server]\nlisten = [\"0.0.0.0:8080\"]\ndata_dir = \"/var/lib/ingestd\"\n", "ingestd.conf");
        CliCommand cmd = Parse("--listen", "127.0.0.1:0", "--listen", "[::1]:0", "--data-dir", "/tmp/x");

        IngestdConfig effective = CommandLine.ApplyOverrides(file, cmd);

        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.IPv6Loopback, 0)], effective.Server.Listen);
        Assert.Equal("/tmp/x", effective.Server.DataDir);
        Assert.Equal(file.Storage, effective.Storage);
    }

    [Fact]
    public void No_overrides_leave_the_file_untouched()
    {
        IngestdConfig file = ConfigLoader.Parse("[server]\ndata_dir = \"/var/lib/ingestd\"\n", "ingestd.conf");
        Assert.Same(file, CommandLine.ApplyOverrides(file, Parse("--config", "ingestd.conf")));
    }

    [Fact]
    public void Data_dir_override_alone_keeps_the_file_listen()
    {
        IngestdConfig file = ConfigLoader.Parse("[server]\nlisten = \"0.0.0.0:81\"\n", "ingestd.conf");
        IngestdConfig effective = CommandLine.ApplyOverrides(file, Parse("--data-dir", "/d"));
        Assert.Equal([new IPEndPoint(IPAddress.Any, 81)], effective.Server.Listen);
        Assert.Equal("/d", effective.Server.DataDir);
    }

    [Theory]
    [InlineData("ingestd read")]
    [InlineData("ingestd verify")]
    [InlineData("--listen HOST:PORT")]
    [InlineData("--since")]
    [InlineData("--follow")]
    [InlineData("ingestd.conf.example")]
    public void Usage_mentions(string text)
    {
        Assert.Contains(text, CommandLine.Usage);
    }

    [Fact]
    public void Query_passes_its_options_on_as_the_apis_parameters()
    {
        CliCommand c = Parse("query", "stats", "--group-by", "level", "--since=15m", "--where", "level == 'error'", "--data-dir", "/d", "--json");
        Assert.Equal(CliVerb.Query, c.Verb);
        Assert.Equal("stats", c.QueryView);
        Assert.Equal("/d", c.DataDirOverride);
        Assert.True(c.Json);
        Assert.Equal(
            [new("group_by", "level"), new("since", "15m"), new("where", "level == 'error'")],
            c.QueryParameters);
    }

    [Fact]
    public void Query_names_an_unknown_view()
        => Assert.Contains("unknown query view 'widgets'", Fail("query", "widgets"));
}
