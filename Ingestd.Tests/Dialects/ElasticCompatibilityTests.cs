using Ingestd.Parsing.Dialects.Elastic;

namespace Ingestd.Tests.Dialects;

public class ElasticCompatibilityTests
{
    private static byte[] U(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Theory]
    [InlineData("application/vnd.elasticsearch+json;compatible-with=7", "", 7)]
    [InlineData("application/vnd.elasticsearch+json; compatible-with=8", "", 8)]
    [InlineData("", "application/vnd.elasticsearch+x-ndjson; Compatible-With=7", 7)]
    [InlineData("application/vnd.elasticsearch+json;charset=utf-8;compatible-with=7", "application/json", 7)]
    public void Compatible_with_parameter_names_the_requested_major_version(string accept, string contentType, int expected)
        => Assert.Equal(expected, ElasticCompatibility.RequestedVersion(U(accept), U(contentType)));

    [Theory]
    [InlineData("application/json", "application/x-ndjson")]
    [InlineData("application/vnd.elasticsearch+json;compatible-with=6", "")]
    [InlineData("application/vnd.elasticsearch+json;compatible-with=77", "")]
    [InlineData("", "")]
    public void Plain_or_unsupported_media_types_request_no_compatibility(string accept, string contentType)
        => Assert.Equal(0, ElasticCompatibility.RequestedVersion(U(accept), U(contentType)));

    [Fact]
    public void Bulk_items_name_type_doc_only_in_7_compatible_responses()
    {
        using var items = new BulkItemList();
        using var batch = new Ingestd.Parsing.Records.RecordBatch();
        BulkParser.Parse("{\"index\":{\"_index\":\"x\",\"_id\":\"1\"}}\n{\"a\":1}\n{\"delete\":{\"_index\":\"x\",\"_id\":\"2\"}}\n"u8, default, 0, "t"u8, batch, items);

        var v7 = new System.Buffers.ArrayBufferWriter<byte>();
        BulkResponseWriter.Write(v7, 1, items, v7Compatible: true);
        using var doc = System.Text.Json.JsonDocument.Parse(v7.WrittenMemory);
        var all = doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.EnumerateObject().Single().Value).ToList();
        Assert.All(all, i => Assert.Equal("_doc", i.GetProperty("_type").GetString()));

        var v8 = new System.Buffers.ArrayBufferWriter<byte>();
        BulkResponseWriter.Write(v8, 1, items);
        Assert.DoesNotContain("_type", System.Text.Encoding.UTF8.GetString(v8.WrittenSpan));
    }
}
