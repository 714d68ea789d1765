using System.IO.Compression;
using System.Text.Json;

namespace Ingestd.Bench.Load;

/// <summary>
/// How many events one request body carries, for events/s: decode the body if it is compressed,
/// then a JSON wrapper's <c>events</c>/<c>entries</c> array, a JSON array's elements, one JSON
/// object, or else the non-empty lines (NDJSON, text). Cold path: runs once per load run.
/// </summary>
internal static class EventCounter
{
    public static int Count(byte[] body, string? contentEncoding = null)
    {
        var decoded = Decode(body, contentEncoding);
        if (TryCountJson(decoded, out int count)) return count;
        return CountNonEmptyLines(decoded);
    }

    private static byte[] Decode(byte[] body, string? contentEncoding)
    {
        // Sniff the magic numbers first (gzip RFC 1952 §2.3.1, zstd RFC 8878 §3.1.1): a body can
        // be gzip even when the caller did not say so. Brotli and raw deflate have no magic.
        if (body.Length >= 2 && body[0] == 0x1F && body[1] == 0x8B) return Inflate(new GZipStream(new MemoryStream(body), CompressionMode.Decompress));
        if (body.Length >= 4 && body[0] == 0x28 && body[1] == 0xB5 && body[2] == 0x2F && body[3] == 0xFD)
            return Inflate(new ZstdSharp.DecompressionStream(new MemoryStream(body)));
        return contentEncoding?.Trim().ToLowerInvariant() switch
        {
            "br" => Inflate(new BrotliStream(new MemoryStream(body), CompressionMode.Decompress)),
            // HTTP "deflate" is the zlib format (RFC 9110 §8.4.1.2).
            "deflate" => Inflate(new ZLibStream(new MemoryStream(body), CompressionMode.Decompress)),
            _ => body,
        };
    }

    private static byte[] Inflate(Stream decoder)
    {
        using (decoder)
        {
            var output = new MemoryStream();
            decoder.CopyTo(output);
            return output.ToArray();
        }
    }

    private static bool TryCountJson(byte[] body, out int count)
    {
        count = 0;
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                count = root.GetArrayLength();
                return true;
            }
            if (root.ValueKind != JsonValueKind.Object) return false;
            foreach (var name in (ReadOnlySpan<string>)["events", "entries"])
            {
                if (root.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array)
                {
                    count = array.GetArrayLength();
                    return true;
                }
            }
            count = 1;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int CountNonEmptyLines(ReadOnlySpan<byte> body)
    {
        int count = 0;
        while (!body.IsEmpty)
        {
            int nl = body.IndexOf((byte)'\n');
            var line = nl < 0 ? body : body[..nl];
            if (!line.Trim(" \t\r"u8).IsEmpty) count++;
            body = nl < 0 ? default : body[(nl + 1)..];
        }
        return count;
    }
}
