using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Records;
using Ingestd.Storage;

namespace Ingestd.Cli;

/// <summary>
/// <c>ingestd read</c>: prints stored records as NDJSON, one object per record:
/// <c>{"seq","received_at","time","tenant","stream"?,"dialect","kind","level","service","timestamp","routes"?,"event"}</c>, where
/// <c>event</c> is the event's JSON exactly as received (or as a pipeline rewrote it), <c>stream</c> is present only on records that
/// have one (Streams) and <c>routes</c> only on records a pipeline's route step tagged (absent = the default route <c>store</c>). Output is streamed in chunks, never held whole.
/// </summary>
internal static class ReadCommand
{
    public static int Run(ReadOptions options, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var paths = options.Paths.Count == 0 ? [options.DataDir] : options.Paths;
        foreach (var path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                stderr.WriteLine($"ingestd read: {path}: no such file or directory");
                return 1;
            }
        }

        using var output = new NdjsonOutput(options, stdout);
        using var reader = new SegmentReader(message => { output.Flush(); stderr.WriteLine("ingestd read: " + message); })
        {
            SinceNs = output.SinceNs,
            UntilNs = output.UntilNs,
        };
        RecordHandler handler = output.Write;

        int followed = options.Follow ? paths.Count - 1 : paths.Count;
        for (int i = 0; i < followed && !ct.IsCancellationRequested; i++)
        {
            if (Directory.Exists(paths[i])) reader.ReadFiles(SegmentFormat.ListSegments(paths[i]), handler);
            else reader.ReadFile(paths[i], handler);
        }
        if (options.Follow && !ct.IsCancellationRequested)
        {
            // Following a file means following its directory from that file on: the writer continues in newer segments.
            string last = paths[^1];
            if (Directory.Exists(last)) reader.Follow(last, handler, ct, idle: output.FlushToConsole);
            else reader.Follow(Path.GetDirectoryName(Path.GetFullPath(last))!, handler, ct, startFile: last, idle: output.FlushToConsole);
        }
        output.FlushToConsole();
        return 0;
    }

    /// <summary>Formats Unix nanoseconds as RFC 3339 UTC with nine fraction digits; writes 30 bytes.</summary>
    public static int FormatTime(long unixNs, Span<byte> dest)
    {
        long seconds = Math.DivRem(unixNs, 1_000_000_000L, out long fraction);
        if (fraction < 0)
        {
            fraction += 1_000_000_000L;
            seconds--;
        }
        var t = new DateTime(DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        Digits(dest[..4], t.Year);
        dest[4] = (byte)'-';
        Digits(dest.Slice(5, 2), t.Month);
        dest[7] = (byte)'-';
        Digits(dest.Slice(8, 2), t.Day);
        dest[10] = (byte)'T';
        Digits(dest.Slice(11, 2), t.Hour);
        dest[13] = (byte)':';
        Digits(dest.Slice(14, 2), t.Minute);
        dest[16] = (byte)':';
        Digits(dest.Slice(17, 2), t.Second);
        dest[19] = (byte)'.';
        Digits(dest.Slice(20, 9), fraction);
        dest[29] = (byte)'Z';
        return 30;
    }

    private static void Digits(Span<byte> dest, long value)
    {
        for (int i = dest.Length - 1; i >= 0; i--)
        {
            dest[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    internal static long ToUnixNs(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTime.UnixEpoch.Ticks;
        return Math.Clamp(ticks, long.MinValue / 100, long.MaxValue / 100) * 100;
    }

    /// <summary>Filters records and writes the NDJSON lines, converting to the TextWriter a chunk at a time.</summary>
    private sealed class NdjsonOutput : IDisposable
    {
        private const int ChunkBytes = 64 * 1024;

        private readonly TextWriter _stdout;
        private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes * 2);
        private readonly Utf8JsonWriter _json;
        private readonly byte[]? _tenant;
        private readonly byte[]? _stream;
        private readonly byte[]? _service;
        private readonly byte[]? _level;
        private readonly string? _kind;
        private readonly string? _dialect;
        private char[] _chars = ArrayPool<char>.Shared.Rent(ChunkBytes * 2);

        public NdjsonOutput(ReadOptions options, TextWriter stdout)
        {
            _stdout = stdout;
            // Relaxed escaping keeps '+' in offsets and non-ASCII text readable; the output is not embedded in HTML.
            _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            SinceNs = options.Since is { } since ? ToUnixNs(since) : long.MinValue;
            UntilNs = options.Until is { } until ? ToUnixNs(until) : long.MaxValue;
            _tenant = options.Tenant is null ? null : Encoding.UTF8.GetBytes(options.Tenant);
            _stream = options.Stream is null ? null : Encoding.UTF8.GetBytes(options.Stream);
            _service = options.Service is null ? null : Encoding.UTF8.GetBytes(options.Service);
            _level = options.Level is null ? null : Encoding.UTF8.GetBytes(options.Level);
            _kind = options.Kind;
            _dialect = options.Dialect;
        }

        public long SinceNs { get; }
        public long UntilNs { get; }

        public void Write(long sequence, in RecordView view)
        {
            if (!Matches(view)) return;
            Span<byte> time = stackalloc byte[30];
            var w = _json;
            w.WriteStartObject();
            w.WriteNumber("seq"u8, sequence);
            FormatTime(view.ReceivedNs, time);
            w.WriteString("received_at"u8, time);
            FormatTime(view.EventNs, time);
            w.WriteString("time"u8, time);
            w.WriteString("tenant"u8, view.Tenant);
            if (!view.Stream.IsEmpty) w.WriteString("stream"u8, view.Stream);
            w.WriteString("dialect"u8, RecordNames.Of(view.Dialect));
            w.WriteString("kind"u8, RecordNames.Of(view.Kind));
            w.WriteString("level"u8, view.Level);
            w.WriteString("service"u8, view.Service);
            w.WriteString("timestamp"u8, view.TimestampText);
            if (!view.Routes.IsEmpty) WriteRoutes(w, view.Routes);
            w.WritePropertyName("event"u8);
            if (view.Json.IsEmpty) w.WriteNullValue();
            else if (view.Json.IndexOfAny((byte)'\n', (byte)'\r') < 0) w.WriteRawValue(view.Json, skipInputValidation: true);
            else w.WriteRawValue(OnOneLine(view.Json), skipInputValidation: true);
            w.WriteEndObject();
            w.Flush();
            w.Reset();
            _buffer.Write("\n"u8);
            if (_buffer.WrittenCount >= ChunkBytes) Flush();
        }

        // Route tags are stored comma-separated; printed as a list (absent = the default route "store").
        private static void WriteRoutes(Utf8JsonWriter w, ReadOnlySpan<byte> routes)
        {
            w.WriteStartArray("routes"u8);
            foreach (var range in routes.Split((byte)','))
                w.WriteStringValue(routes[range]);
            w.WriteEndArray();
        }

        // NDJSON needs one line per record. JSON strings cannot hold raw line breaks, so any in
        // the event are whitespace between tokens: turning them into spaces changes nothing else.
        private ReadOnlySpan<byte> OnOneLine(ReadOnlySpan<byte> json)
        {
            if (_oneLine.Length < json.Length) _oneLine = new byte[Math.Max(json.Length, _oneLine.Length * 2)];
            var copy = _oneLine.AsSpan(0, json.Length);
            json.CopyTo(copy);
            copy.Replace((byte)'\n', (byte)' ');
            copy.Replace((byte)'\r', (byte)' ');
            return copy;
        }

        private byte[] _oneLine = new byte[4096];

        private bool Matches(in RecordView view)
        {
            long t = view.EventNs;
            if (t < SinceNs || t >= UntilNs) return false;
            if (_tenant is not null && !view.Tenant.SequenceEqual(_tenant)) return false;
            if (_stream is not null && !view.Stream.SequenceEqual(_stream)) return false;
            if (_service is not null && !view.Service.SequenceEqual(_service)) return false;
            if (_level is not null && !Ascii.EqualsIgnoreCase(view.Level, _level)) return false;
            if (_kind is not null && !string.Equals(RecordNames.Of(view.Kind), _kind, StringComparison.OrdinalIgnoreCase)) return false;
            if (_dialect is not null && !string.Equals(RecordNames.Of(view.Dialect), _dialect, StringComparison.OrdinalIgnoreCase)) return false;
            return true;
        }

        /// <summary>Moves buffered lines to the TextWriter.</summary>
        public void Flush()
        {
            var bytes = _buffer.WrittenSpan;
            if (bytes.IsEmpty) return;
            int needed = Encoding.UTF8.GetMaxCharCount(bytes.Length);
            if (_chars.Length < needed)
            {
                ArrayPool<char>.Shared.Return(_chars);
                _chars = ArrayPool<char>.Shared.Rent(needed);
            }
            int n = Encoding.UTF8.GetChars(bytes, _chars);
            _stdout.Write(_chars, 0, n);
            _buffer.ResetWrittenCount();
        }

        /// <summary>Flushes through to the TextWriter's destination (used when caught up while following).</summary>
        public void FlushToConsole()
        {
            Flush();
            _stdout.Flush();
        }

        public void Dispose()
        {
            _json.Dispose();
            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }
    }
}
