using System.Diagnostics;
using System.Text;
using Ingestd.Parsing.Records;
using Ingestd.Storage;
using Ingestd.Storage.Index;

namespace Ingestd.Bench.Index;

/// <summary>
/// <c>index [--hours 24] [--events-per-hour 30000] [--tenants 50] [--rounds 5] [--dir DIR]</c>: what the per-segment
/// block index (FORMAT.md, "Block index") costs the writer and saves a query.
/// <list type="number">
/// <item>Writes HOURS of events twice, block by block, into two logs, one with indexes and one without, alternating
/// which goes first; the time of each <c>SegmentLog.Append</c> is summed per log and hour, and the median of the hourly
/// ratios is the writer's cost of collecting the index (the index file itself is written on another thread).</item>
/// <item>Rebuilds every closed segment's index by reading it: the cost of the alternative, collecting at close by re-reading.</item>
/// <item>Queries one hour in the middle for one tenant, with and without the index, ROUNDS times alternately: blocks
/// decompressed and the median time of each; and the scan rate of an unfiltered read without index (one core).</item>
/// </list>
/// Data: requests of 500 events from one tenant each (tenant-00…), 4 requests to a block (~1 MiB raw, as the writer
/// builds them from the ring), each tenant with 5 of 40 services, levels info/warn/error/debug 70/15/10/5 %.
/// </summary>
internal static class IndexBenchCommand
{
    private const int EventsPerRequest = 500, RequestsPerBlock = 4;
    private const long HourNs = 3_600_000_000_000L;
    private const long StartNs = 1_795_608_000_000_000_000L; // 2026-11-25T12:00:00Z

    public static int Run(string[] args) => Run(args, Console.Out);

    /// <summary>Runs the bench and prints its figures to <paramref name="output"/>.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        int hours = Option(args, "--hours", 24), perHour = Option(args, "--events-per-hour", 30_000);
        int tenants = Option(args, "--tenants", 50), rounds = Option(args, "--rounds", 5);
        string root = OptionText(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "ingestd-index-bench-" + Environment.ProcessId);
        string withDir = Path.Combine(root, "indexed"), withoutDir = Path.Combine(root, "plain");
        Directory.CreateDirectory(root);
        try
        {
            // --aa: both logs without indexes, to see how far the two sides differ with nothing to tell them apart.
            var (appendWith, appendWithout, events) = Write(output, withDir, withoutDir, hours, perHour, tenants, aa: args.Contains("--aa"));
            Report(output, "write", $"{events:N0} events over {hours} h, {SegmentFormat.ListSegments(withDir).Count} segments, "
                + $"{DirBytes(withDir) / 1e6:F1} MB of segments, {IndexBytes(withDir) / 1e3:F1} kB of indexes");
            Report(output, "append, with index", $"{Median(appendWith) :F0} ns/event (median of {appendWith.Count} hours)");
            Report(output, "append, without", $"{Median(appendWithout):F0} ns/event");
            var ratios = appendWith.Zip(appendWithout, (a, b) => a / b).ToList();
            Report(output, "append cost of collecting", $"{(Median(ratios) - 1) * 100:+0.0;-0.0} % (median of hourly ratios; min {(ratios.Min() - 1) * 100:+0.0;-0.0} %)");

            Rebuild(output, withDir, events);
            Query(output, withDir, hours, rounds);
            return 0;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static (List<double> With, List<double> Without, long Events) Write(TextWriter output, string withDir, string withoutDir, int hours, int perHour, int tenants, bool aa)
    {
        using var with = Open(withDir, !aa);
        using var without = Open(withoutDir, false);
        var random = new Random(15);
        var services = Enumerable.Range(0, 40).Select(i => Encoding.UTF8.GetBytes($"svc-{i:D2}")).ToArray();
        var tenantNames = Enumerable.Range(0, tenants).Select(i => Encoding.UTF8.GetBytes($"tenant-{i:D2}")).ToArray();
        byte[][] levels = ["info"u8.ToArray(), "warn"u8.ToArray(), "error"u8.ToArray(), "debug"u8.ToArray()];
        var json = new StringBuilder();
        using var batch = new RecordBatch();
        var perHourWith = new List<double>();
        var perHourWithout = new List<double>();
        var collectNs = new List<double>();
        var fastestWith = new List<double>();
        var fastestWithout = new List<double>();
        long events = 0;
        int requestsPerHour = Math.Max(1, perHour / EventsPerRequest);
        for (int hour = 0; hour < hours; hour++)
        {
            long ticksWith = 0, ticksWithout = 0, ticksCollect = 0, hourEvents = 0;
            double minWith = double.MaxValue, minWithout = double.MaxValue;
            var alone = new SegmentIndexBuilder(0, 0);
            long offset = SegmentFormat.FileHeaderSize;
            for (int request = 0; request < requestsPerHour; request += RequestsPerBlock)
            {
                batch.Reset();
                for (int r = request; r < Math.Min(request + RequestsPerBlock, requestsPerHour); r++)
                {
                    int tenant = random.Next(tenants);
                    long t0 = StartNs + hour * HourNs + r * (HourNs / requestsPerHour);
                    for (int i = 0; i < EventsPerRequest; i++)
                    {
                        int roll = random.Next(100);
                        var level = levels[roll < 70 ? 0 : roll < 85 ? 1 : roll < 95 ? 2 : 3];
                        var service = services[(tenant * 7 + random.Next(5)) % services.Length];
                        json.Clear().Append("{\"message\":\"request ").Append(random.Next(1_000_000)).Append(" served in ")
                            .Append(random.Next(2000)).Append(" ms\",\"path\":\"/api/v1/items/").Append(random.Next(5000))
                            .Append("\",\"status\":").Append(roll < 95 ? 200 : 500).Append(",\"user\":\"user-").Append(random.Next(300))
                            .Append("\",\"trace_id\":\"").Append(random.NextInt64().ToString("x16")).Append("\"}");
                        long eventNs = t0 + i * 1_000_000L;
                        batch.Append(eventNs + 5_000_000, eventNs, Dialect.Astralog, RecordKind.Log, tenantNames[tenant], level, service,
                            "2026-11-25T12:00:00Z"u8, Encoding.UTF8.GetBytes(json.ToString()));
                    }
                }
                // Alternate which log goes first, so that cache effects fall on both alike.
                bool withFirst = (request / RequestsPerBlock) % 2 == 0;
                long a = 0, b;
                if (withFirst) a = Timed(with, batch);
                b = Timed(without, batch);
                if (!withFirst) a = Timed(with, batch);
                ticksWith += a;
                ticksWithout += b;
                // Load can only make a block slower: the fastest block of the hour is the least disturbed figure.
                minWith = Math.Min(minWith, a * 1e9 / Stopwatch.Frequency / batch.Count);
                minWithout = Math.Min(minWithout, b * 1e9 / Stopwatch.Frequency / batch.Count);
                hourEvents += batch.Count;
                // The same collection SegmentLog.Append does, alone: its cost without the noise of compression and I/O.
                var header = new BlockHeader(batch.Bytes.Length, batch.Bytes.Length, batch.Count, 0, batch.MinEventNs, batch.MaxEventNs, 0, 0);
                long c0 = Stopwatch.GetTimestamp();
                alone.AddBlock(offset, header, batch.Bytes);
                ticksCollect += Stopwatch.GetTimestamp() - c0;
                offset += header.TotalLength;
            }
            alone.Build(offset);
            collectNs.Add(ticksCollect * 1e9 / Stopwatch.Frequency / hourEvents);
            fastestWith.Add(minWith);
            fastestWithout.Add(minWithout);
            events += hourEvents;
            perHourWith.Add(ticksWith * 1e9 / Stopwatch.Frequency / hourEvents);
            perHourWithout.Add(ticksWithout * 1e9 / Stopwatch.Frequency / hourEvents);
        }
        with.WaitForIndexes(TimeSpan.FromMinutes(5));
        Report(output, "append, fastest blocks", $"with {Median(fastestWith):F0} ns/event, without {Median(fastestWithout):F0} ns/event "
            + $"(median of the hours' fastest block): {(Median(fastestWith) / Median(fastestWithout) - 1) * 100:+0.0;-0.0} %");
        Report(output, "collecting alone", $"{Median(collectNs):F1} ns/event (median of {hours} hours; min {collectNs.Min():F1})");
        return (perHourWith, perHourWithout, events);
    }

    private static long Timed(SegmentLog log, RecordBatch batch)
    {
        long t0 = Stopwatch.GetTimestamp();
        log.Append(batch.Bytes, batch.Count, batch.MinEventNs, batch.MaxEventNs);
        return Stopwatch.GetTimestamp() - t0;
    }

    private static SegmentLog Open(string dir, bool indexes) => SegmentLog.Open(new SegmentLogOptions
    {
        Directory = dir,
        SegmentMaxBytes = 1L << 20, // about an hour of this data: like the default one-hour rotation
        SegmentMaxAge = TimeSpan.FromDays(365),
        WriteIndexes = indexes,
    }, message => Console.Error.WriteLine("log: " + message));

    private static void Rebuild(TextWriter output, string dir, long events)
    {
        var segments = SegmentFormat.ListSegments(dir)[..^1];
        using var reader = new BlockReader();
        long bytes = 0;
        var t0 = Stopwatch.GetTimestamp();
        foreach (var segment in segments)
        {
            _ = SegmentIndexer.Build(segment, reader, CancellationToken.None, out _);
            bytes += new FileInfo(segment).Length;
        }
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        long closedEvents = events * bytes / Math.Max(1, DirBytes(dir));
        Report(output, "rebuild by re-reading", $"{segments.Count} segments, {bytes / 1e6:F1} MB in {seconds:F2} s: {bytes / 1e6 / seconds:F0} MB/s, "
            + $"~{seconds * 1e9 / Math.Max(1, closedEvents):F0} ns/event (the alternative to collecting while writing)");
    }

    private static void Query(TextWriter output, string dir, int hours, int rounds)
    {
        var segments = SegmentFormat.ListSegments(dir);
        long since = StartNs + hours / 2 * HourNs, until = since + HourNs;
        var query = new BlockQuery { SinceNs = since, UntilNs = until, Tenants = ["tenant-07"] };
        byte[] tenant = "tenant-07"u8.ToArray();

        (double Ms, long Blocks, long Matches) Once(BlockQuery q, bool useIndex)
        {
            long matches = 0;
            var reader = new SegmentReader(_ => { }) { Query = q, UseIndex = useIndex };
            long t0 = Stopwatch.GetTimestamp();
            reader.ReadFiles(segments, (long _, in RecordView v) =>
            {
                if (v.EventNs >= q.SinceNs && v.EventNs < q.UntilNs && (q.Tenants is null || v.Tenant.SequenceEqual(tenant))) matches++;
            });
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            reader.Dispose();
            return (ms, reader.BlocksDecoded, matches);
        }

        var withMs = new List<double>();
        var withoutMs = new List<double>();
        (double, long, long) lastWith = default, lastWithout = default;
        Once(query, true);
        Once(query, false);
        for (int r = 0; r < rounds; r++)
        {
            lastWith = Once(query, true);
            lastWithout = Once(query, false);
            withMs.Add(lastWith.Item1);
            withoutMs.Add(lastWithout.Item1);
        }
        if (lastWith.Item3 != lastWithout.Item3) throw new InvalidOperationException($"answers differ: {lastWith.Item3} vs {lastWithout.Item3}");
        long totalBlocks = 0;
        foreach (var s in segments) totalBlocks += BlockSelector.Select(s, BlockQuery.All).TotalBlocks;
        Report(output, "query 1 h + 1 tenant", $"{lastWith.Item3:N0} matching records; {totalBlocks} blocks in all");
        Report(output, "  with index", $"{lastWith.Item2} blocks decompressed, {Median(withMs):F1} ms (median of {rounds})");
        Report(output, "  without (headers)", $"{lastWithout.Item2} blocks decompressed, {Median(withoutMs):F1} ms");
        Report(output, "  index speed-up", $"{Median(withoutMs) / Median(withMs):F1}x time, {(double)lastWithout.Item2 / Math.Max(1, lastWith.Item2):F1}x fewer blocks");

        var scanMs = new List<double>();
        long scanned = DirBytes(dir);
        for (int r = 0; r < Math.Max(1, rounds / 2); r++) scanMs.Add(Once(BlockQuery.All, false).Ms);
        long raw = 0;
        using (var blocks = new BlockReader())
            foreach (var s in segments)
            {
                using var h = File.OpenHandle(s, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                long length = RandomAccess.GetLength(h);
                for (long at = SegmentFormat.FileHeaderSize; at < length && blocks.ReadHeader(h, at, length, out var bh) == BlockStatus.Ok; at += bh.TotalLength)
                    raw += bh.RawLength;
            }
        double scanSeconds = Median(scanMs) / 1000;
        Report(output, "full scan, no index", $"{scanned / 1e6:F1} MB of segments ({raw / 1e6:F0} MB of records) in {Median(scanMs):F0} ms: "
            + $"{scanned / 1e9 / scanSeconds:F2} GB/s stored, {raw / 1e9 / scanSeconds:F2} GB/s of records (one core)");
    }

    private static long DirBytes(string dir) => SegmentFormat.ListSegments(dir).Sum(s => new FileInfo(s).Length);

    private static long IndexBytes(string dir) => Directory.GetFiles(dir, "*" + IndexFormat.Extension).Sum(f => new FileInfo(f).Length);

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void Report(TextWriter output, string what, string figures) => output.WriteLine($"{what,-28} {figures}");

    private static int Option(string[] args, string name, int fallback)
        => OptionText(args, name) is { } text && int.TryParse(text, out int value) && value > 0 ? value : fallback;

    private static string? OptionText(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
