using System.Buffers;
using System.Net.Http.Headers;
using Ingestd.Config;
using Ingestd.Outputs;

namespace Ingestd.Outputs.Destinations;

/// <summary>
/// <c>type = "http_ndjson"</c>: POSTs each batch as NDJSON to <c>url</c>. 2xx acknowledges the batch; 408, 429, 5xx,
/// 401/403 (credentials), timeouts and connection errors are transient; any other status is a permanent refusal of
/// the batch.
/// </summary>
internal sealed class HttpNdjsonDestination(OutputConfig config) : IDestination
{
    private readonly HttpPoster _poster = new(config, "", new MediaTypeHeaderValue("application/x-ndjson"), config.Gzip);
    private readonly ArrayBufferWriter<byte> _ndjson = new(64 * 1024);

    public DeliveryResult Send(OutputBatch batch, IReadOnlyList<int> items, CancellationToken ct)
    {
        _ndjson.ResetWrittenCount();
        foreach (int i in items)
        {
            _ndjson.Write(batch.Line(i));
            _ndjson.Write("\n"u8);
        }
        if (!_poster.TryPost(_ndjson.WrittenMemory, ct, out var answer, out var failure)) return failure;
        return answer.Status is >= 200 and < 300 ? DeliveryResult.Acknowledged : HttpPoster.Refused(answer, "NDJSON POST");
    }

    public void Dispose() => _poster.Dispose();
}
