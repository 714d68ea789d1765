using Ingestd.Config;

namespace Ingestd.Tests.Outputs;

/// <summary>The keys of the <c>loki</c>, <c>otlp_http</c> and <c>splunk_hec</c> outputs, and the errors that name them.</summary>
public class HttpFamilyOutputConfigTests
{
    private static OutputConfig Parse(string type, string keys) => Assert.Single(ConfigLoader.Parse($"""
        [[outputs]]
        name = "x"
        type = "{type}"
        url = "http://127.0.0.1:3100"
        {keys}
        """, "test.conf").Outputs);

    private static string Error(string type, string keys) => Assert.Throws<ConfigException>(() => Parse(type, keys)).Message;

    [Fact]
    public void A_loki_output_has_the_default_labels_and_structured_metadata_unless_configured()
    {
        var plain = Parse("loki", "");
        Assert.Equal(["tenant", "dialect", "service_name", "level"], plain.Labels.Select(l => l.Key));
        Assert.True(plain.StructuredMetadata);
        var custom = Parse("loki", """
            labels = { job = "ingestd", env_name = "{tenant}-prod" }
            structured_metadata = false
            """);
        Assert.Equal([new("job", "ingestd"), new("env_name", "{tenant}-prod")], custom.Labels);
        Assert.False(custom.StructuredMetadata);
    }

    [Fact]
    public void A_splunk_hec_output_reads_its_token_and_templates()
    {
        var output = Parse("splunk_hec", """
            token = "abc"
            host = "edge"
            source = "{service}"
            sourcetype = "_json"
            index = "main_{tenant}"
            """);
        Assert.Equal(("abc", "edge", "{service}", "_json", "main_{tenant}"),
            (output.Token, output.HecHost, output.HecSource, output.HecSourceType, output.HecIndex));
    }

    [Fact]
    public void A_splunk_hec_output_without_a_token_is_a_config_error_naming_the_key()
        => Assert.Equal("test.conf:3: outputs.token: output 'x' (splunk_hec) needs a token (sent as Authorization: Splunk <token>)",
            Error("splunk_hec", ""));

    [Theory]
    [InlineData("loki", "token = \"t\"", "test.conf:5: outputs.token: only for type splunk_hec (output 'x' is loki)")]
    [InlineData("otlp_http", "labels = { a = \"b\" }", "test.conf:5: outputs.labels: only for type loki (output 'x' is otlp_http)")]
    [InlineData("otlp_http", "index = \"i\"", "test.conf:5: outputs.index: only for types elasticsearch and splunk_hec (output 'x' is otlp_http)")]
    [InlineData("loki", "gzip = true", "test.conf:5: outputs.gzip: not for type loki (its protobuf body is snappy-compressed already)")]
    [InlineData("loki", "labels = { \"1st\" = \"x\" }", "test.conf:5: outputs.labels.1st: a Loki label name is letters, digits and '_', not starting with a digit")]
    [InlineData("loki", "labels = { app = \"{tenantt}\" }", "test.conf:5: outputs.labels.app: unknown placeholder \"{tenantt}\" in \"{tenantt}\"; use {tenant}, {dialect}, {kind}, {level}, {service}, {stream}")]
    [InlineData("splunk_hec", "token = \"t\"\nsource = \"{host\"", "test.conf:6: outputs.source: '{' without '}' in \"{host\"")]
    [InlineData("otlp_http", "flavour = \"x\"", "test.conf:5: unknown key 'outputs.flavour'")]
    public void A_wrong_key_for_the_type_is_a_config_error_naming_the_key(string type, string keys, string message)
        => Assert.Equal(message, Error(type, keys));
}
