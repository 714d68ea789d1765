using System.Buffers;
using System.Buffers.Text;
using Ingestd.Parsing.Dialects.Json;

namespace Ingestd.Parsing.Dialects.Splunk;

/// <summary>The HTTP Event Collector's response bodies.</summary>
internal static class HecResponses
{
    /// <summary>200, every accepted <c>/services/collector[/event|/raw]</c> request.</summary>
    public static ReadOnlySpan<byte> Success => "{\"text\":\"Success\",\"code\":0}"u8;

    /// <summary>200, <c>GET /services/collector/health</c> (no token needed).</summary>
    public static ReadOnlySpan<byte> Healthy => "{\"text\":\"HEC is healthy\",\"code\":17}"u8;

    /// <summary>503, <c>GET /services/collector/health</c> while the ring is full (Splunk: indexer queues full).</summary>
    public static ReadOnlySpan<byte> Unhealthy => "{\"text\":\"HEC is unhealthy, queues are full\",\"code\":18}"u8;

    /// <summary>Writes <c>{"text":…,"code":…[,"invalid-event-number":N]}</c> for <paramref name="error"/>; send it with <see cref="HecException.HttpStatus"/>.</summary>
    public static void Write(IBufferWriter<byte> output, HecException error)
    {
        output.Write("{\"text\":"u8);
        JsonEscape.WriteQuoted(output, error.Text);
        output.Write(",\"code\":"u8);
        WriteNumber(output, error.Code);
        if (error.InvalidEventNumber is int n)
        {
            output.Write(",\"invalid-event-number\":"u8);
            WriteNumber(output, n);
        }
        output.Write("}"u8);
    }

    private static void WriteNumber(IBufferWriter<byte> output, int value)
    {
        var span = output.GetSpan(11);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }
}
