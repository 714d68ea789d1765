using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Dialects.Json;

/// <summary>
/// How every dialect parser reports malformed JSON: the byte offset in the body and the reader's
/// own words, without its " LineNumber: …" suffix. Cold path only.
/// </summary>
internal static class JsonErrors
{
    /// <summary>Offset of the first byte that is not valid UTF-8 (the body's length if all are valid).</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> body)
    {
        int at = 0;
        while (at < body.Length && Rune.DecodeFromUtf8(body[at..], out _, out int used) == OperationStatus.Done) at += used;
        return at;
    }

    /// <summary>The offset in <paramref name="body"/> where the reader failed (it reports line and column).</summary>
    public static long ErrorOffset(ReadOnlySpan<byte> body, JsonException e, long bytesConsumed)
    {
        if (e.LineNumber is not long line || e.BytePositionInLine is not long column) return bytesConsumed;
        long lineStart = 0;
        for (long l = 0; l < line && lineStart < body.Length; l++)
        {
            int nl = body[(int)lineStart..].IndexOf((byte)'\n');
            if (nl < 0) break;
            lineStart += nl + 1;
        }
        return lineStart + column;
    }

    /// <summary>The reader's message without its " LineNumber: …" suffix (callers give the position their own way).</summary>
    public static string ReaderMessage(JsonException e)
    {
        string message = e.Message;
        int suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return suffix >= 0 ? message[..suffix] : message;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowInvalidUtf8(ReadOnlySpan<byte> body)
        => throw new RequestRejectedException(RejectReason.InvalidJson, $"invalid JSON at byte {FirstInvalidUtf8(body)}: invalid UTF-8");

    public static RequestRejectedException InvalidJson(ReadOnlySpan<byte> body, JsonException e, long bytesConsumed)
        => new(RejectReason.InvalidJson, $"invalid JSON at byte {ErrorOffset(body, e, bytesConsumed)}: {ReaderMessage(e)}");

    /// <summary>
    /// A lone surrogate escape (such as "\uD800") is valid JSON syntax but no text: CopyString and
    /// GetString refuse it with <see cref="InvalidOperationException"/>; report it at the reader's position.
    /// </summary>
    public static RequestRejectedException InvalidString(InvalidOperationException e, long bytesConsumed)
        => new(RejectReason.InvalidJson, $"invalid JSON at byte {bytesConsumed}: {e.Message}");

    /// <summary>
    /// Reads to the end of the body before a content error is thrown: a syntax error anywhere outranks
    /// a content error, so it surfaces (as the reader's <see cref="JsonException"/>) instead.
    /// </summary>
    public static void ReadToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read()) { }
    }
}
