using System.Diagnostics;
using System.Text;
using Ingestd.Bench.Micro;
using Ingestd.Parsing.Records;
using Ingestd.Query;
using Ingestd.Selection;
using Ingestd.Storage;

namespace Ingestd.Bench.Query;

/// <summary>
/// <c>query-scan [--records N] [--hours H] [--dir DIR] [--keep]</c>: the speed of a query that has to read everything
/// (no index): the 500 reference events repeated into N records whose event times spread evenly over H hours, written
/// as the daemon writes them (1 MiB blocks, zstd level 1, 256 MiB segments); then, on one thread with warm page cache,
/// <see cref="SegmentQuery"/> runs (best of 3 each) a <c>q</c> that matches nothing (every block decompressed and every
/// record's event searched), a <c>where</c> on header fields and one on a JSON member, and a 1-hour window (blocks outside it skipped by their
/// header's time range). Prints GB/s of segment file bytes and of decompressed record bytes, and records/s.
/// </summary>
internal static class QueryScanCommand
{
    public static int Run(string[] args, TextWriter? output = null)
    {
        var @out = output ?? Console.Out;
        long records = 2_000_000;
        int hours = 24;
        string? dir = null;
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--records": records = long.Parse(args[++i]); break;
                case "--hours": hours = int.Parse(args[++i]); break;
                case "--dir": dir = args[++i]; break;
                case "--keep": keep = true; break;
                default:
                    Console.Error.WriteLine($"query-scan: unknown argument '{args[i]}' (use --records N, --hours H, --dir DIR, --keep)");
                    return 2;
            }
        }
        dir ??= Path.Combine(Path.GetTempPath(), "ingestd-query-scan-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            long start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;
            long span = hours * 3600L * 1_000_000_000;
            var sw = Stopwatch.StartNew();
            long raw = Generate(dir, records, start, span);
            long fileBytes = SegmentFormat.ListSegments(dir).Sum(p => new FileInfo(p).Length);
            @out.WriteLine($"query-scan: wrote {records:N0} records over {hours} h: {raw / 1e6:N0} MB of records in {fileBytes / 1e6:N0} MB of segments "
                + $"(ratio {(double)raw / fileBytes:N1}) in {sw.Elapsed.TotalSeconds:N1} s");

            var limits = new QueryLimits(int.MaxValue, long.MaxValue, TimeSpan.FromHours(1));
            Measure(@out, "q that matches nothing (full scan)", dir, new RecordCriteria { Contains = "no-such-text-anywhere" }, limits, fileBytes);
            Measure(@out, "where level == 'fatal' and service == 'none'", dir,
                new RecordCriteria { Where = RecordCondition.Parse("level == 'fatal' and service == 'none'") }, limits, fileBytes);
            Measure(@out, "where contains(message, 'no-such-text') (a JSON member per record)", dir,
                new RecordCriteria { Where = RecordCondition.Parse("contains(message, 'no-such-text')") }, limits, fileBytes);
            long mid = start + span / 2;
            Measure(@out, $"1-hour window of {hours} h, q matching nothing", dir,
                new RecordCriteria { SinceNs = mid, UntilNs = mid + 3600L * 1_000_000_000, Contains = "no-such-text-anywhere" }, limits, fileBytes);
            return 0;
        }
        finally
        {
            if (!keep) Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class CountingSink : IRecordSink
    {
        public long Count;
        public bool Add(long sequence, in RecordView view)
        {
            Count++;
            return true;
        }
    }

    private static void Measure(TextWriter @out, string name, string dir, RecordCriteria criteria, QueryLimits limits, long fileBytes)
    {
        var request = new QueryRequest { Criteria = criteria, Limit = int.MaxValue };
        double best = double.MaxValue;
        QueryOutcome outcome = default;
        long matched = 0;
        for (int run = 0; run < 4; run++) // the first run warms the page cache and the JIT; best of the other three
        {
            var sink = new CountingSink();
            var sw = Stopwatch.StartNew();
            outcome = new SegmentQuery(dir, request, limits, message => Console.Error.WriteLine("query-scan: " + message)).RunAll(sink);
            double seconds = sw.Elapsed.TotalSeconds;
            if (run > 0) best = Math.Min(best, seconds);
            matched = sink.Count;
        }
        @out.WriteLine($"{name}: {best * 1000:N0} ms, matched {matched:N0}; read {outcome.RecordsScanned:N0} records "
            + $"({outcome.RecordsScanned / best / 1e6:N2} M records/s), {outcome.BytesScanned / 1e6:N0} MB decompressed "
            + $"({outcome.BytesScanned / best / 1e9:N2} GB/s); whole data set {fileBytes / 1e6:N0} MB of segments in {best:N3} s "
            + $"= {fileBytes / best / 1e9:N2} GB/s of segment data");
    }

    /// <summary>Writes the records as the writer would; returns their bytes before compression.</summary>
    private static long Generate(string dir, long count, long startNs, long spanNs)
    {
        var events = ReferenceEvent.Load();
        // Each record gets a request id of its own, so blocks do not compress as 500 events repeated (real logs don't).
        var jsons = events.Select(e => Encoding.UTF8.GetBytes(e.Line.TrimEnd()[..^1] + ",\"request_id\":\"")).ToArray();
        var json = new byte[64 * 1024];
        var random = new Random(15);
        Span<byte> id = stackalloc byte[8];
        using var log = SegmentLog.Open(new SegmentLogOptions { Directory = dir }, _ => { });
        var block = new byte[1024 * 1024 + 64 * 1024];
        int used = 0, inBlock = 0;
        long min = long.MaxValue, max = long.MinValue, raw = 0;
        Span<byte> stamp = stackalloc byte[30];
        for (long i = 0; i < count; i++)
        {
            var e = events[(int)(i % events.Count)];
            long t = startNs + spanNs / count * i;
            RecordJsonWriter.FormatTime(t, stamp);
            var head = jsons[i % events.Count];
            head.CopyTo(json, 0);
            random.NextBytes(id);
            int length = head.Length + Convert.ToHexString(id).Length;
            Encoding.ASCII.GetBytes(Convert.ToHexString(id), json.AsSpan(head.Length));
            json[length++] = (byte)'"';
            json[length++] = (byte)'}';
            int n = RecordLayout.Write(block.AsSpan(used), t, t, Dialect.Astralog, RecordKind.Log, Encoding.UTF8.GetBytes(e.ProjectId),
                Encoding.UTF8.GetBytes(e.Level), Encoding.UTF8.GetBytes(e.Service), stamp, json.AsSpan(0, length));
            used += n;
            inBlock++;
            min = Math.Min(min, t);
            max = Math.Max(max, t);
            if (used >= 1024 * 1024 || i == count - 1)
            {
                log.Append(block.AsSpan(0, used), inBlock, min, max);
                raw += used;
                used = inBlock = 0;
                min = long.MaxValue;
                max = long.MinValue;
            }
        }
        log.Sync();
        return raw;
    }
}
