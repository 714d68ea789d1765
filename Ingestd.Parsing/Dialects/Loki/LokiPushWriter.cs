using System.Buffers;
using Ingestd.Parsing.Dialects.Protobuf;
using Snappier;

namespace Ingestd.Parsing.Dialects.Loki;

/// <summary>
/// Encodes a Loki push (<c>logproto.PushRequest</c>, the messages <see cref="LokiProtobufParser"/> reads) and compresses
/// it as one Snappy block, as <c>POST /loki/api/v1/push</c> with <c>Content-Type: application/x-protobuf</c> takes it:
/// <c>BeginStream(labels)</c>, <c>Entry(…)</c> per line, <c>EndStream()</c>, then <see cref="Compress"/>. Reused from
/// push to push: a warm encode allocates nothing.
/// </summary>
internal sealed class LokiPushWriter : IDisposable
{
    private const long NanosPerSecond = 1_000_000_000;

    private readonly ProtoWriter _proto = new();
    private byte[] _compressed = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _stream = -1;

    /// <summary>The encoded (uncompressed) PushRequest so far.</summary>
    public ReadOnlySpan<byte> Encoded => _proto.WrittenSpan;

    public void Reset()
    {
        _proto.Reset();
        _stream = -1;
    }

    /// <summary>Starts a <c>StreamAdapter</c> with <paramref name="labels"/> in the selector syntax (see <see cref="AppendLabel"/>).</summary>
    public void BeginStream(ReadOnlySpan<byte> labels)
    {
        _stream = _proto.Begin(1);   // PushRequest.streams
        _proto.Bytes(1, labels);     // StreamAdapter.labels
    }

    /// <summary>
    /// One <c>EntryAdapter</c>: timestamp (Unix nanoseconds, at or after 1970), line, and one structured metadata pair when
    /// <paramref name="metadataName"/> is not empty.
    /// </summary>
    public void Entry(long unixNs, ReadOnlySpan<byte> line, ReadOnlySpan<byte> metadataName, ReadOnlySpan<byte> metadataValue)
    {
        int entry = _proto.Begin(2); // StreamAdapter.entries
        int timestamp = _proto.Begin(1);
        long seconds = Math.DivRem(Math.Max(unixNs, 0), NanosPerSecond, out long nanos);
        if (seconds != 0) _proto.Varint(1, (ulong)seconds);
        if (nanos != 0) _proto.Varint(2, (ulong)nanos);
        _proto.End(timestamp);
        _proto.Bytes(2, line);
        if (!metadataName.IsEmpty)
        {
            int pair = _proto.Begin(3); // EntryAdapter.structuredMetadata
            _proto.Bytes(1, metadataName);
            _proto.Bytes(2, metadataValue);
            _proto.End(pair);
        }
        _proto.End(entry);
    }

    public void EndStream()
    {
        _proto.End(_stream);
        _stream = -1;
    }

    /// <summary>The whole PushRequest as one Snappy block (the raw block format with its length preamble, not the framed stream).</summary>
    public ReadOnlyMemory<byte> Compress()
    {
        var source = _proto.WrittenSpan;
        int max = Snappy.GetMaxCompressedLength(source.Length);
        if (_compressed.Length < max)
        {
            ArrayPool<byte>.Shared.Return(_compressed);
            _compressed = ArrayPool<byte>.Shared.Rent(max);
        }
        int length = Snappy.Compress(source, _compressed);
        return _compressed.AsMemory(0, length);
    }

    /// <summary>
    /// Appends <c>name="value"</c> (after a <c>,</c> unless <paramref name="first"/>) in the selector syntax Loki parses:
    /// the value double-quoted with Go's escapes for <c>\</c>, <c>"</c>, and control bytes. The caller writes the
    /// braces and gives a valid name (<c>[a-zA-Z_][a-zA-Z0-9_]*</c>).
    /// </summary>
    public static void AppendLabel(IBufferWriter<byte> dest, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool first)
    {
        var span = dest.GetSpan(name.Length + 4 + value.Length * 4);
        int at = 0;
        if (!first) span[at++] = (byte)',';
        name.CopyTo(span[at..]);
        at += name.Length;
        span[at++] = (byte)'=';
        span[at++] = (byte)'"';
        foreach (byte b in value)
        {
            switch (b)
            {
                case (byte)'"': span[at++] = (byte)'\\'; span[at++] = (byte)'"'; break;
                case (byte)'\\': span[at++] = (byte)'\\'; span[at++] = (byte)'\\'; break;
                case (byte)'\n': span[at++] = (byte)'\\'; span[at++] = (byte)'n'; break;
                case (byte)'\r': span[at++] = (byte)'\\'; span[at++] = (byte)'r'; break;
                case (byte)'\t': span[at++] = (byte)'\\'; span[at++] = (byte)'t'; break;
                case < 0x20 or 0x7F:
                    span[at++] = (byte)'\\';
                    span[at++] = (byte)'x';
                    span[at++] = Hex(b >> 4);
                    span[at++] = Hex(b & 0xF);
                    break;
                default: span[at++] = b; break;
            }
        }
        span[at++] = (byte)'"';
        dest.Advance(at);
    }

    /// <summary>True for a name Loki takes as a label or structured metadata name.</summary>
    public static bool IsValidName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || !(IsLetter(name[0]) || name[0] == '_')) return false;
        foreach (byte b in name)
            if (!(IsLetter(b) || b == '_' || (uint)(b - '0') <= 9)) return false;
        return true;
    }

    private static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    private static byte Hex(int v) => (byte)(v < 10 ? '0' + v : 'a' + v - 10);

    public void Dispose()
    {
        _proto.Dispose();
        ArrayPool<byte>.Shared.Return(_compressed);
        _compressed = [];
    }
}
