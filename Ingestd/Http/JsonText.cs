using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Ingestd.Http;

/// <summary>Writes JSON string literals from raw UTF-8 (header values, ids) into a buffer.</summary>
internal static class JsonText
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Writes <c>"value"</c>, escaped; invalid UTF-8 becomes U+FFFD.</summary>
    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        output.Write("\""u8);
        if (!Utf8.IsValid(utf8))
        {
            var fixedUp = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(utf8));
            utf8 = fixedUp;
        }
        while (true)
        {
            var dest = output.GetSpan(Math.Max(16, utf8.Length * 6));
            var status = Encoder.EncodeUtf8(utf8, dest, out int read, out int written);
            output.Advance(written);
            utf8 = utf8[read..];
            if (status == OperationStatus.Done) break;
        }
        output.Write("\""u8);
    }
}
