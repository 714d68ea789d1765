using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Records;
using Ingestd.Query;
using Ingestd.Selection;
using Ingestd.Storage;
using Ingestd.Storage.Index;

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
            // Lets closed segments with an index be read only in the blocks that may hold a match.
            Query = BlockQueryOf(options),
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

    /// <summary>The envelope filters of the command line as a block query (time is set on the reader itself).</summary>
    internal static BlockQuery BlockQueryOf(ReadOptions options) => new()
    {
        Tenants = options.Tenant is null ? null : [options.Tenant],
        Services = options.Service is null ? null : [options.Service],
        Levels = options.Level is null ? null : [options.Level],
        Streams = options.Stream is null ? null : [options.Stream],
        Dialects = options.Dialect is null ? null : [Enum.Parse<Dialect>(options.Dialect, ignoreCase: true)],
        Kinds = options.Kind is null ? null : [Enum.Parse<RecordKind>(options.Kind, ignoreCase: true)],
    };

    /// <summary>Formats Unix nanoseconds as RFC 3339 UTC with nine fraction digits; writes 30 bytes.</summary>
    public static int FormatTime(long unixNs, Span<byte> dest) => RecordJsonWriter.FormatTime(unixNs, dest);

    /// <summary>Filters records and writes the NDJSON lines, converting to the TextWriter a chunk at a time.</summary>
    private sealed class NdjsonOutput : IDisposable
    {
        private const int ChunkBytes = 64 * 1024;

        private readonly TextWriter _stdout;
        private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes * 2);
        private readonly Utf8JsonWriter _json;
        private readonly RecordFilter _filter;
        private char[] _chars = ArrayPool<char>.Shared.Rent(ChunkBytes * 2);

        public NdjsonOutput(ReadOptions options, TextWriter stdout)
        {
            _stdout = stdout;
            // Relaxed escaping keeps '+' in offsets and non-ASCII text readable; the output is not embedded in HTML.
            _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            SinceNs = options.Since is { } since ? QueryTime.ToUnixNs(since) : long.MinValue;
            UntilNs = options.Until is { } until ? QueryTime.ToUnixNs(until) : long.MaxValue;
            _filter = new RecordFilter(new RecordCriteria
            {
                SinceNs = SinceNs,
                UntilNs = UntilNs,
                Tenants = options.Tenant is null ? [] : [options.Tenant],
                Streams = options.Stream is null ? [] : [options.Stream],
                Services = options.Service is null ? [] : [options.Service],
                Levels = options.Level is null ? [] : [options.Level],
                Kinds = options.Kind is null ? [] : [options.Kind],
                Dialects = options.Dialect is null ? [] : [options.Dialect],
            });
        }

        public long SinceNs { get; }
        public long UntilNs { get; }

        public void Write(long sequence, in RecordView view)
        {
            if (!_filter.Matches(view)) return;
            var w = _json;
            w.WriteStartObject();
            _record.WriteMembers(w, sequence, view);
            w.WriteEndObject();
            w.Flush();
            w.Reset();
            _buffer.Write("\n"u8);
            if (_buffer.WrittenCount >= ChunkBytes) Flush();
        }

        private readonly RecordJsonWriter _record = new();

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
