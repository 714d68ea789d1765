using System.IO.Compression;
using System.Text;

namespace Ingestd.Tests.Support;

/// <summary>Builds <c>/v1/drain</c> bodies whose events can be recognised when read back.</summary>
public static class DrainBodies
{
    /// <summary>One event as compact JSON; message is <c>{tag}-{i}</c> so the test can find it.</summary>
    public static string Event(string tenant, string tag, int i, string level = "info", string service = "api-gateway")
        => "{\"project_id\":\"" + tenant + "\",\"timestamp\":\"2024-05-31T15:30:" + (i % 60).ToString("00") + "." + (i % 1000).ToString("000")
           + "Z\",\"level\":\"" + level + "\",\"service\":\"" + service + "\",\"message\":\"" + tag + "-" + i
           + "\",\"metadata\":{\"user_id\":" + i + ",\"tags\":[\"a\",\"b\"],\"nested\":{\"x\":1.5,\"y\":null,\"z\":\"caf\\u00e9 \\\"q\\\"\"}}}";

    public static string Body(string tenant, string tag, int count, string level = "info")
    {
        var sb = new StringBuilder("{\"events\":[");
        for (int i = 0; i < count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(Event(tenant, tag, i, level));
        }
        return sb.Append("]}").ToString();
    }

    public static byte[] Encode(byte[] body, string coding)
    {
        var output = new MemoryStream();
        switch (coding)
        {
            case "identity":
                return body;
            case "gzip":
                using (var z = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) z.Write(body);
                break;
            case "deflate":
                using (var z = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true)) z.Write(body);
                break;
            case "br":
                using (var z = new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true)) z.Write(body);
                break;
            case "zstd":
                using (var c = new ZstdSharp.Compressor(3)) return c.Wrap(body).ToArray();
            default:
                throw new ArgumentException(coding);
        }
        return output.ToArray();
    }

    /// <summary>Raw request bytes for POST /v1/drain with the body as given.</summary>
    public static byte[] Request(byte[] body, string? encoding = null, string? auth = null, bool chunked = false, int chunkSize = 1000, string extraHeaders = "")
    {
        var head = new StringBuilder("POST /v1/drain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");
        if (encoding is not null) head.Append($"Content-Encoding: {encoding}\r\n");
        if (auth is not null) head.Append($"Authorization: {auth}\r\n");
        head.Append(extraHeaders);
        var bytes = new List<byte>();
        if (chunked)
        {
            head.Append("Transfer-Encoding: chunked\r\n\r\n");
            bytes.AddRange(Encoding.ASCII.GetBytes(head.ToString()));
            for (int at = 0; at < body.Length; at += chunkSize)
            {
                int n = Math.Min(chunkSize, body.Length - at);
                bytes.AddRange(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
                bytes.AddRange(body.AsSpan(at, n).ToArray());
                bytes.AddRange("\r\n"u8.ToArray());
            }
            bytes.AddRange("0\r\n\r\n"u8.ToArray());
        }
        else
        {
            head.Append($"Content-Length: {body.Length}\r\n\r\n");
            bytes.AddRange(Encoding.ASCII.GetBytes(head.ToString()));
            bytes.AddRange(body);
        }
        return bytes.ToArray();
    }
}
