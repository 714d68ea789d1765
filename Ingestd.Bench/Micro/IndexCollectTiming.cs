using System.Diagnostics;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;
using Ingestd.Storage;
using Ingestd.Storage.Index;
using ZstdSharp;

namespace Ingestd.Bench.Micro;

/// <summary>
/// <c>index-collect [ROUNDS=30]</c>: the writer's per-block index collection (<see cref="SegmentIndexBuilder.AddBlock"/>)
/// on a ~0.9 MB block of drain-500 records, timed three ways in alternation: right after the block was compressed (as
/// the writer does it: zstd has just pushed the first records out of the cache), hot (the same walk twice, the second
/// timed), and per 500-event batch right after that batch was copied (what collecting as the writer takes each ring
/// entry would cost). Prints ns per record, median and minimum.
/// </summary>
internal static class IndexCollectTiming
{
    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 && int.TryParse(args[0], out int r) && r > 0 ? r : 30;
        using var batch = new RecordBatch();
        AstralogParser.Parse(BenchData.Drain500, 1, default, batch);
        byte[] one = batch.Bytes.ToArray();
        int perBatch = batch.Count, batches = (1 << 20) / one.Length;
        byte[] block = new byte[one.Length * batches];
        for (int i = 0; i < batches; i++) one.CopyTo(block, i * one.Length);
        int records = perBatch * batches;
        var header = new BlockHeader(1000, block.Length, records, 0, 0, 0, 1, 0);
        var dest = new byte[Compressor.GetCompressBound(block.Length)];
        using var zstd = new Compressor(1);
        var copy = new byte[block.Length];
        var names = new[] { "after zstd (today)", "hot (second walk)", "per batch after its copy" };
        var times = names.Select(_ => new List<double>()).ToArray();
        long offset = 0;
        for (int round = 0; round < rounds + 3; round++)
        {
            var builder = new SegmentIndexBuilder(0, 0);
            // 1: as today
            block.CopyTo(copy, 0);
            zstd.Wrap(copy, dest);
            long t0 = Stopwatch.GetTimestamp();
            builder.AddBlock(offset += 2000, header, copy);
            double a = Stopwatch.GetElapsedTime(t0).TotalNanoseconds;
            // 2: hot
            builder.AddBlock(offset += 2000, header, copy);
            t0 = Stopwatch.GetTimestamp();
            builder.AddBlock(offset += 2000, header, copy);
            double b = Stopwatch.GetElapsedTime(t0).TotalNanoseconds;
            // 3: per batch, right after its copy (the copy itself not timed)
            zstd.Wrap(copy, dest);
            double c = 0;
            for (int i = 0; i < batches; i++)
            {
                block.AsSpan(i * one.Length, one.Length).CopyTo(copy.AsSpan(i * one.Length));
                t0 = Stopwatch.GetTimestamp();
                builder.AddBlock(offset += 2000, header with { Count = perBatch }, copy.AsSpan(i * one.Length, one.Length));
                c += Stopwatch.GetElapsedTime(t0).TotalNanoseconds;
            }
            if (round < 3) continue;
            times[0].Add(a / records);
            times[1].Add(b / records);
            times[2].Add(c / records);
        }
        for (int i = 0; i < names.Length; i++)
        {
            var s = times[i].Order().ToArray();
            Console.WriteLine($"{names[i],-28} median {s[s.Length / 2],6:F1} ns/record  min {s[0],6:F1}");
        }
        return 0;
    }
}
