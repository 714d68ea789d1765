using Ingestd.Config;

namespace Ingestd.Tests.Outputs;

/// <summary><c>type = "parquet_files"</c> in the config: a directory instead of a URL, hourly-sized batches by default.</summary>
public class ParquetFilesConfigTests
{
    private static OutputConfig Parse(string keys) => Assert.Single(ConfigLoader.Parse($"""
        [[outputs]]
        name = "lake"
        type = "parquet_files"
        {keys}
        """, "test.conf").Outputs);

    [Fact]
    public void A_parquet_files_output_has_a_path_and_large_batches_by_default()
    {
        var output = Parse("path = \"/var/lib/lake\"");
        Assert.Equal("/var/lib/lake", output.Path);
        Assert.Null(output.Url);
        Assert.Equal(100_000, output.MaxEvents);
        Assert.Equal(64L * 1024 * 1024, output.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(60), output.MaxWait);
    }

    [Fact]
    public void Batch_keys_given_override_only_their_own_default()
    {
        var output = Parse("path = \"/lake\"\nbatch = { max_wait = \"5s\" }");
        Assert.Equal(TimeSpan.FromSeconds(5), output.MaxWait);
        Assert.Equal(100_000, output.MaxEvents);
    }

    [Theory]
    [InlineData("", "test.conf:3: outputs.path: output 'lake' (parquet_files) needs a path (the directory for the files)")]
    [InlineData("path = \"lake\"", "test.conf:4: outputs.path: expected an absolute directory, got \"lake\"")]
    [InlineData("path = \"/lake\"\nurl = \"http://x/\"", "test.conf:5: outputs.url: not for type parquet_files (output 'lake' writes to path)")]
    [InlineData("path = \"/lake\"\ngzip = true", "test.conf:5: outputs.gzip: not for type parquet_files (output 'lake')")]
    public void A_missing_relative_or_foreign_key_is_a_config_error_naming_it(string keys, string message)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(keys));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_path_on_another_type_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""
            [[outputs]]
            name = "x"
            type = "http_ndjson"
            url = "http://127.0.0.1:1/"
            path = "/lake"
            """, "test.conf"));
        Assert.Equal("test.conf:5: outputs.path: only for type parquet_files (output 'x' is http_ndjson)", e.Message);
    }
}
