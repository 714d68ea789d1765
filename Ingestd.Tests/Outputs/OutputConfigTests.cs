using Ingestd.Config;

namespace Ingestd.Tests.Outputs;

public class OutputConfigTests
{
    [Fact]
    public void An_output_block_is_read_with_its_match_batch_and_destination_keys()
    {
        var config = ConfigLoader.Parse("""
            [server]
            node_id = "edge-1"

            [[outputs]]
            name = "siem"
            type = "http_ndjson"
            url = "https://siem.example/ingest"
            start = "latest"
            gzip = true
            headers = { Authorization = "Bearer x" }
            match = { tenant = ["acme"], dialect = ["Loki"], level = ["error"] }
            batch = { max_events = 10, max_bytes = "64KiB", max_wait = "250ms" }
            """, "test.conf");
        Assert.Equal("edge-1", config.Server.NodeId);
        var output = Assert.Single(config.Outputs);
        Assert.Equal("siem", output.Name);
        Assert.Equal(OutputStart.Latest, output.Start);
        Assert.True(output.Gzip);
        Assert.Equal(["acme"], output.Match.Tenants);
        Assert.Equal(["loki"], output.Match.Dialects);
        Assert.Equal(10, output.MaxEvents);
        Assert.Equal(64 * 1024, output.MaxBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), output.MaxWait);
        Assert.Equal("Bearer x", Assert.Single(output.Headers).Value);
    }

    [Theory]
    [InlineData("kafka")]
    public void A_destination_type_not_built_yet_is_a_config_error_naming_the_key(string type)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse($"""
            [[outputs]]
            name = "x"
            type = "{type}"
            """, "test.conf"));
        Assert.Equal($"test.conf:3: outputs.type: unknown destination type \"{type}\"; this build supports {string.Join(", ", OutputConfig.KnownTypes)}", e.Message);
    }

    [Fact]
    public void An_http_ndjson_output_without_a_url_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            [[outputs]]
            name = "x"
            type = "http_ndjson"
            """, "test.conf"));
        Assert.Contains("outputs.url", e.Message);
    }

    [Fact]
    public void A_where_condition_that_does_not_parse_is_a_config_error_naming_line_and_column()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            [[outputs]]
            name = "x"
            type = "http_ndjson"
            url = "http://127.0.0.1:1/"
            match = { where = "event.amount >" }
            """, "test.conf"));
        Assert.StartsWith("test.conf:5: outputs.match.where: column ", e.Message);
    }

    [Fact]
    public void Changing_only_the_where_condition_changes_the_output()
    {
        var a = ConfigLoader.Parse(OutputWithWhere("event.a == 1"), "a.conf").Outputs[0];
        var b = ConfigLoader.Parse(OutputWithWhere("event.a == 2"), "b.conf").Outputs[0];
        var c = ConfigLoader.Parse(OutputWithWhere("event.a == 1"), "c.conf").Outputs[0];
        Assert.NotEqual(a, b);
        Assert.Equal(a, c);
    }

    private static string OutputWithWhere(string where) => $$"""
        [[outputs]]
        name = "x"
        type = "http_ndjson"
        url = "http://127.0.0.1:1/"
        match = { where = "{{where}}" }
        """;

    [Fact]
    public void Two_outputs_with_one_name_are_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            [[outputs]]
            name = "x"
            type = "http_ndjson"
            url = "http://127.0.0.1:1/"
            [[outputs]]
            name = "x"
            type = "http_ndjson"
            url = "http://127.0.0.1:1/"
            """, "test.conf"));
        Assert.Contains("defined twice", e.Message);
    }

    [Theory]
    [InlineData("url = [\"nats://10.0.0.1:4222\", \"nats://10.0.0.2:4222\"]")]
    [InlineData("url = \"nats://10.0.0.1:4222, nats://10.0.0.2:4222\"")]
    public void A_nats_jetstream_output_takes_the_servers_of_a_cluster_as_an_array_or_comma_separated(string urlLine)
    {
        var config = ConfigLoader.Parse($"""
            [[outputs]]
            name = "js"
            type = "nats_jetstream"
            {urlLine}
            """, "test.conf");
        Assert.Equal("nats://10.0.0.1:4222,nats://10.0.0.2:4222", Assert.Single(config.Outputs).Url);
    }

    [Fact]
    public void Several_urls_for_an_http_output_are_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            [[outputs]]
            name = "x"
            type = "http_ndjson"
            url = ["http://127.0.0.1:1/", "http://127.0.0.1:2/"]
            """, "test.conf"));
        Assert.Equal("test.conf:4: outputs.url: output 'x' (http_ndjson) takes one URL (a list is for nats_jetstream: the servers of a cluster)", e.Message);
    }
}
