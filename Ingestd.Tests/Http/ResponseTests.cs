using System.Text;
using Ingestd.Http;
using Ingestd.Parsing.Buffers;

namespace Ingestd.Tests.Http;

public class ResponseTests
{
    private static string Serialise(Response response)
    {
        using var output = new PooledBuffer();
        response.WriteTo(output, keepAliveHeader: false, headRequest: false, "Wed, 02 Dec 2026 15:00:00 GMT"u8);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void An_endpoints_own_content_type_replaces_the_json_default()
    {
        using var response = new Response();
        response.SetStatus(200);
        response.AddHeader("Content-Type"u8, "text/css; charset=utf-8"u8);
        response.Body.Write("a{}"u8);
        var head = Serialise(response).Split("\r\n\r\n")[0];
        Assert.Equal(["Content-Type: text/css; charset=utf-8"], head.Split("\r\n").Where(l => l.StartsWith("Content-Type:")));
    }

    [Fact]
    public void Json_is_the_content_type_when_the_endpoint_names_none()
    {
        using var response = new Response();
        response.Json(200, """{"status":"ok"}"""u8);
        Assert.Contains("\r\nContent-Type: application/json\r\n", Serialise(response));
    }

    [Fact]
    public void A_304_has_no_content_length_and_no_body()
    {
        using var response = new Response();
        response.SetStatus(304);
        response.AddHeader("ETag"u8, "\"abc\""u8);
        var text = Serialise(response);
        Assert.StartsWith("HTTP/1.1 304 Not Modified\r\n", text);
        Assert.DoesNotContain("Content-Length", text);
        Assert.EndsWith("ETag: \"abc\"\r\n\r\n", text);
    }

    [Fact]
    public void Trimming_after_a_large_answer_gives_its_buffer_back()
    {
        using var response = new Response();
        response.SetStatus(200);
        response.Body.Write(new byte[5 * 1024 * 1024]);
        response.TrimBody(64 * 1024);
        Assert.Equal(0, response.Body.Length);
        Assert.True(response.Body.Capacity <= 64 * 1024, $"capacity {response.Body.Capacity}");
    }
}
