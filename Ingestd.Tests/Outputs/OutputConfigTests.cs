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
    [InlineData("clickhouse")]
    [InlineData("loki")]
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
}
