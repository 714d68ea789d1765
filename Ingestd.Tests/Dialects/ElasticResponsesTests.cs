using System.Buffers;
using System.Text.Json;
using Ingestd.Parsing.Dialects.Elastic;
using Ingestd.Parsing.Errors;

namespace Ingestd.Tests.Dialects;

public class ElasticResponsesTests
{
    [Fact]
    public void Root_info_carries_what_client_product_checks_read()
    {
        using var doc = JsonDocument.Parse(ElasticResponses.RootInfo("ingestd", "8.11.0"));
        var root = doc.RootElement;
        Assert.Equal("ingestd", root.GetProperty("cluster_name").GetString());
        Assert.Equal(22, root.GetProperty("cluster_uuid").GetString()!.Length);
        Assert.Equal("You Know, for Search", root.GetProperty("tagline").GetString());
        var version = root.GetProperty("version");
        Assert.Equal("8.11.0", version.GetProperty("number").GetString());
        Assert.Equal("default", version.GetProperty("build_flavor").GetString());
        Assert.Equal("9.8.0", version.GetProperty("lucene_version").GetString());
        Assert.Equal("7.17.0", version.GetProperty("minimum_wire_compatibility_version").GetString());
        Assert.Equal("7.0.0", version.GetProperty("minimum_index_compatibility_version").GetString());
    }

    [Fact]
    public void Cluster_uuid_is_stable_for_a_cluster_name()
    {
        using var a = JsonDocument.Parse(ElasticResponses.RootInfo("c1"));
        using var b = JsonDocument.Parse(ElasticResponses.RootInfo("c1"));
        Assert.Equal(a.RootElement.GetProperty("cluster_uuid").GetString(), b.RootElement.GetProperty("cluster_uuid").GetString());
    }

    [Fact]
    public void Fixed_bodies_are_valid_json()
    {
        foreach (var body in new[] { ElasticResponses.License.ToArray(), ElasticResponses.XPack.ToArray(), ElasticResponses.Acknowledged.ToArray(), ElasticResponses.ClusterHealth("c") })
        {
            using var _ = JsonDocument.Parse(body);
        }
        using var license = JsonDocument.Parse(ElasticResponses.License.ToArray());
        Assert.Equal("active", license.RootElement.GetProperty("license").GetProperty("status").GetString());
        using var health = JsonDocument.Parse(ElasticResponses.ClusterHealth("c"));
        Assert.Equal("green", health.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void Error_body_has_the_elasticsearch_shape()
    {
        var output = new ArrayBufferWriter<byte>();
        ElasticResponses.WriteError(output, ElasticResponses.ErrorType(RejectReason.InvalidEvent), "The bulk request must be terminated by a newline [\\n]", 400);
        using var doc = JsonDocument.Parse(output.WrittenMemory);
        var error = doc.RootElement.GetProperty("error");
        Assert.Equal("illegal_argument_exception", error.GetProperty("type").GetString());
        Assert.Equal("The bulk request must be terminated by a newline [\\n]", error.GetProperty("reason").GetString());
        Assert.Equal("illegal_argument_exception", error.GetProperty("root_cause")[0].GetProperty("type").GetString());
        Assert.Equal(400, doc.RootElement.GetProperty("status").GetInt32());
    }
}
