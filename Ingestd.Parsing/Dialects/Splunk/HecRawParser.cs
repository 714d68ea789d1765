using System.Buffers;
using System.Text.Unicode;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Framing;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Dialects.Splunk;

/// <summary>
/// The Splunk HTTP Event Collector <c>/services/collector/raw</c> body: plain UTF-8 text, one event
/// per non-blank line (or the whole body as one event without line breaking). Each record's JSON
/// is synthesised as <c>{"event":"&lt;line&gt;","host":…,"source":…,"sourcetype":…}</c> with the
/// request's defaults (members without a value are left out). The receive time is the event time.
/// Allocates nothing on success.
/// </summary>
internal static class HecRawParser
{
    /// <summary>Parses <paramref name="body"/> and appends its events to <paramref name="batch"/>. Returns the number of events.</summary>
    /// <param name="lineBreaking">False stores the whole body (without its final line break) as one event.</param>
    /// <exception cref="HecException">Code 5 for an empty body, 6 for text that is not UTF-8.</exception>
    public static int Parse(ReadOnlySpan<byte> body, long receivedNs, ReadOnlySpan<byte> tenant, HecDefaults defaults,
        RecordBatch batch, bool lineBreaking = true)
    {
        if (body.IndexOfAnyExcept(" \t\r\n"u8) < 0) throw HecException.NoData();
        if (!Utf8.IsValid(body)) throw HecException.InvalidDataFormat(null, "raw data is not UTF-8 text");

        byte[]? json = null;
        var suffix = new PooledSuffix(defaults);
        try
        {
            var service = suffix.Service;
            if (!lineBreaking)
            {
                var text = body.TrimEnd("\r\n"u8);
                Append(text, receivedNs, tenant, service, suffix.Bytes, batch, ref json);
                return 1;
            }
            int count = 0;
            foreach (var line in new LineFramer(body))
            {
                Append(line, receivedNs, tenant, service, suffix.Bytes, batch, ref json);
                count++;
            }
            return count;
        }
        finally
        {
            if (json is not null) ArrayPool<byte>.Shared.Return(json);
            suffix.Dispose();
        }
    }

    private static void Append(ReadOnlySpan<byte> text, long receivedNs, ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> service,
        ReadOnlySpan<byte> suffix, RecordBatch batch, ref byte[]? json)
    {
        long escaped = JsonEscape.EscapedLength(text);
        long size = "{\"event\":\""u8.Length + escaped + 1 + suffix.Length;
        if (size > int.MaxValue) throw HecException.InvalidDataFormat(null, "event too large");
        if (json is null || json.Length < size)
        {
            if (json is not null) ArrayPool<byte>.Shared.Return(json);
            json = null;
            json = ArrayPool<byte>.Shared.Rent((int)Math.Max(size, 4096));
        }
        var dest = json.AsSpan();
        "{\"event\":\""u8.CopyTo(dest);
        int at = "{\"event\":\""u8.Length;
        at += JsonEscape.Write(text, dest[at..]);
        dest[at++] = (byte)'"';
        suffix.CopyTo(dest[at..]);
        at += suffix.Length;
        batch.Append(receivedNs, receivedNs, Dialect.Splunk, RecordKind.Log, tenant, default, service, default, dest[..at]);
    }

    /// <summary>The JSON tail shared by every event of the request (<c>,"host":"…",…}</c>) and the service, in one pooled array.</summary>
    private struct PooledSuffix : IDisposable
    {
        private byte[]? _array;
        private int _suffixLength, _serviceStart, _serviceLength;

        public PooledSuffix(HecDefaults defaults)
        {
            _array = null;
            _suffixLength = _serviceStart = _serviceLength = 0;
            if (defaults.Host is null && defaults.Source is null && defaults.SourceType is null)
            {
                return;
            }
            var writer = new ArrayPoolWriter();
            try
            {
                WriteMember(ref writer, ",\"host\":"u8, defaults.Host);
                WriteMember(ref writer, ",\"source\":"u8, defaults.Source);
                WriteMember(ref writer, ",\"sourcetype\":"u8, defaults.SourceType);
                writer.Write("}"u8);
                _suffixLength = writer.Length;
                string? service = defaults.SourceType ?? defaults.Source;
                if (!string.IsNullOrEmpty(service) && service.Length <= HecEventParser.MaxServiceLength)
                {
                    _serviceStart = writer.Length;
                    writer.WriteUtf8(service);
                    _serviceLength = writer.Length - _serviceStart;
                    if (_serviceLength > HecEventParser.MaxServiceLength) _serviceLength = 0;
                }
                _array = writer.Detach();
            }
            finally
            {
                writer.Dispose();
            }
        }

        public readonly ReadOnlySpan<byte> Bytes => _array is null ? "}"u8 : _array.AsSpan(0, _suffixLength);
        public readonly ReadOnlySpan<byte> Service => _array is null ? default : _array.AsSpan(_serviceStart, _serviceLength);

        public void Dispose()
        {
            if (_array is not null) ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }

        private static void WriteMember(ref ArrayPoolWriter writer, ReadOnlySpan<byte> name, string? value)
        {
            if (value is null) return;
            writer.Write(name);
            writer.Write("\""u8);
            writer.WriteEscaped(value);
            writer.Write("\""u8);
        }
    }

    /// <summary>A small append-only writer over one pooled array (the defaults are short, so this is cold and simple).</summary>
    private struct ArrayPoolWriter : IDisposable
    {
        private byte[]? _array;
        public int Length { get; private set; }

        private Span<byte> Ensure(int more)
        {
            _array ??= ArrayPool<byte>.Shared.Rent(Math.Max(256, more));
            if (_array.Length - Length < more)
            {
                var bigger = ArrayPool<byte>.Shared.Rent((Length + more) * 2);
                _array.AsSpan(0, Length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = bigger;
            }
            return _array.AsSpan(Length, more);
        }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(Ensure(bytes.Length));
            Length += bytes.Length;
        }

        public void WriteUtf8(string text)
        {
            int max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
            Length += System.Text.Encoding.UTF8.GetBytes(text, Ensure(max));
        }

        public void WriteEscaped(string text)
        {
            int start = Length;
            WriteUtf8(text);
            // Escape in a second array: the raw UTF-8 of the value sits at the end of the buffer.
            var raw = ArrayPool<byte>.Shared.Rent(Length - start);
            try
            {
                _array.AsSpan(start, Length - start).CopyTo(raw);
                var value = raw.AsSpan(0, Length - start);
                Length = start;
                int escaped = (int)JsonEscape.EscapedLength(value);
                JsonEscape.Write(value, Ensure(escaped));
                Length += escaped;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
            }
        }

        /// <summary>Hands the array over to the caller (who returns it to the pool).</summary>
        public byte[]? Detach()
        {
            var array = _array;
            _array = null;
            return array;
        }

        public void Dispose()
        {
            if (_array is not null) ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
    }
}
