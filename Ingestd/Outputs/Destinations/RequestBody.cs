using System.IO.Compression;
using System.Net.Http;
using System.Net.Http.Headers;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// The content of an HTTP destination's request: the bytes as they are, or gzip-compressed into a buffer this
/// destination keeps between batches (one per destination: sends are one at a time).
/// </summary>
internal sealed class RequestBody(bool gzip, MediaTypeHeaderValue type) : IDisposable
{
    private readonly MemoryStream _compressed = new();

    public HttpContent For(ReadOnlyMemory<byte> body)
    {
        HttpContent content;
        if (gzip)
        {
            _compressed.SetLength(0);
            using (var z = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(body.Span);
            content = new ByteArrayContent(_compressed.GetBuffer(), 0, (int)_compressed.Length);
            content.Headers.ContentEncoding.Add("gzip");
        }
        else
        {
            content = new ReadOnlyMemoryContent(body);
        }
        content.Headers.ContentType = type;
        return content;
    }

    public void Dispose() => _compressed.Dispose();
}
