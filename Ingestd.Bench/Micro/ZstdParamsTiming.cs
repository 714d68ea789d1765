using System.Diagnostics;
using Ingestd.Bench.Workload;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Ingestd.Bench.Micro;

/// <summary>
/// <c>zstd-params [ROUNDS=15]</c>: the writer's zstd (ZstdSharp, as <c>BlockCodec</c> uses it) at other levels, parameters
/// and block sizes, on records packed as the writer packs them (whole 500-event batches up to the block size). Two kinds
/// of records: <c>repeated</c> (the reference body over and over: what the writer compresses under the load tool) and
/// <c>distinct</c> (the workload generator with other seeds, nearer real logs). The cases alternate within each round;
/// per case it prints the median and minimum time per MB of records and the stored size against level 1's, so a
/// busy machine slows every case of a round alike and the ratios stay usable.
/// </summary>
internal static class ZstdParamsTiming
{
    private const int StreamBytes = 4 * 1024 * 1024;
    private const int Warmup = 3;

    internal sealed record Case(string Name, int Level, int BlockBytes, (ZSTD_cParameter Param, int Value)[] Params);

    internal static readonly Case[] Cases =
    [
        new("level 1, 1 MiB (today)", 1, 1 << 20, []),
        new("level -1, 1 MiB", -1, 1 << 20, []),
        new("level -3, 1 MiB", -3, 1 << 20, []),
        new("level -5, 1 MiB", -5, 1 << 20, []),
        new("level 1, hashLog 12", 1, 1 << 20, [(ZSTD_cParameter.ZSTD_c_hashLog, 12)]),
        new("level 1, hashLog 11", 1, 1 << 20, [(ZSTD_cParameter.ZSTD_c_hashLog, 11)]),
        new("level 1, windowLog 17", 1, 1 << 20, [(ZSTD_cParameter.ZSTD_c_windowLog, 17)]),
        new("level 1, windowLog 15", 1, 1 << 20, [(ZSTD_cParameter.ZSTD_c_windowLog, 15)]),
        new("level 1, wLog 17 hLog 12", 1, 1 << 20, [(ZSTD_cParameter.ZSTD_c_windowLog, 17), (ZSTD_cParameter.ZSTD_c_hashLog, 12)]),
        new("level -1, hashLog 12", -1, 1 << 20, [(ZSTD_cParameter.ZSTD_c_hashLog, 12)]),
        new("level 1, 2 MiB", 1, 2 << 20, []),
        new("level 1, 512 KiB", 1, 512 * 1024, []),
        new("level 1, 256 KiB", 1, 256 * 1024, []),
        new("level -1, 256 KiB", -1, 256 * 1024, []),
        new("level 1, 256 KiB, hashLog 12", 1, 256 * 1024, [(ZSTD_cParameter.ZSTD_c_hashLog, 12)]),
        new("level 1, 256 KiB, hashLog 13", 1, 256 * 1024, [(ZSTD_cParameter.ZSTD_c_hashLog, 13)]),
    ];

    public static int Run(string[] args)
    {
        int rounds = args.Length > 0 && int.TryParse(args[0], out int r) && r > 0 ? r : 15;
        foreach (bool distinct in new[] { false, true })
        {
            var batches = Batches(distinct);
            long rawBytes = batches.Sum(b => (long)b.Length);
            var blocks = Cases.Select(c => Pack(batches, c.BlockBytes)).ToArray();
            var compressors = Cases.Select(CompressorFor).ToArray();
            var dest = new byte[Compressor.GetCompressBound(4 << 20)];
            var stored = new long[Cases.Length];
            var wall = Cases.Select(_ => new List<double>()).ToArray();
            var cpu = Cases.Select(_ => new List<double>()).ToArray();
            for (int round = 0; round < Warmup + rounds; round++)
            {
                for (int i = 0; i < Cases.Length; i++)
                {
                    var c0 = Environment.CpuUsage.TotalTime;
                    long t0 = Stopwatch.GetTimestamp();
                    long bytes = 0;
                    foreach (var block in blocks[i]) bytes += compressors[i].Wrap(block, dest);
                    double w = Stopwatch.GetElapsedTime(t0).TotalMilliseconds, c = (Environment.CpuUsage.TotalTime - c0).TotalMilliseconds;
                    stored[i] = bytes;
                    if (round < Warmup) continue;
                    double mb = rawBytes / 1e6;
                    wall[i].Add(w / mb);
                    cpu[i].Add(c / mb);
                }
            }
            Console.WriteLine($"{(distinct ? "distinct" : "repeated")} records: {rawBytes:N0} B in {batches.Count} batches, {rounds} alternating rounds (ms per MB of records)");
            Console.WriteLine($"{"case",-26} {"blocks",6} {"wall med",9} {"wall min",9} {"cpu med",8} {"speed x",8} {"ratio",7} {"size x",7}");
            double baseCpu = Median(cpu[0]), baseWall = Median(wall[0]);
            for (int i = 0; i < Cases.Length; i++)
            {
                double speed = baseWall / Median(wall[i]);
                Console.WriteLine($"{Cases[i].Name,-26} {blocks[i].Count,6} {Median(wall[i]),9:F3} {wall[i].Min(),9:F3} {Median(cpu[i]),8:F3} {speed,8:F2} {(double)rawBytes / stored[i],7:F2} {(double)stored[i] / stored[0],7:F3}");
            }
            Console.WriteLine($"(cpu-based speed of each case vs today: {string.Join(", ", Cases.Select((c, i) => (baseCpu / Median(cpu[i])).ToString("F2")))})");
            Console.WriteLine();
            foreach (var z in compressors) z.Dispose();
        }
        return 0;
    }

    internal static Compressor CompressorFor(Case c)
    {
        var z = new Compressor(c.Level);
        foreach (var (p, v) in c.Params) z.SetParameter(p, v);
        return z;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    // Whole parsed batches, about StreamBytes of records in all.
    internal static List<byte[]> Batches(bool distinct)
    {
        using var batch = new RecordBatch();
        var list = new List<byte[]>();
        long total = 0;
        for (ulong round = 0; total < StreamBytes; round++)
        {
            byte[] body = distinct
                ? WorkloadGenerator.DrainBody(WorkloadGenerator.Events(seed: WorkloadGenerator.Seed + round))
                : BenchData.Drain500;
            batch.Reset();
            AstralogParser.Parse(body, 1, default, batch);
            list.Add(batch.Bytes.ToArray());
            total += batch.ByteLength;
        }
        return list;
    }

    // As the writer cuts blocks: a batch goes into the open block unless it would take it past the size.
    internal static List<byte[]> Pack(List<byte[]> batches, int blockBytes)
    {
        var blocks = new List<byte[]>();
        var open = new List<byte>();
        foreach (var b in batches)
        {
            if (open.Count > 0 && open.Count + b.Length > blockBytes)
            {
                blocks.Add([.. open]);
                open.Clear();
            }
            open.AddRange(b);
            if (open.Count >= blockBytes)
            {
                blocks.Add([.. open]);
                open.Clear();
            }
        }
        if (open.Count > 0) blocks.Add([.. open]);
        return blocks;
    }
}
