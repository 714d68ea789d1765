using BenchmarkDotNet.Attributes;
using Ingestd.Bench.Workload;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;
using ZstdSharp;

namespace Ingestd.Bench.Micro;

/// <summary>
/// zstd of one segment block's records at the daemon's defaults (level 1, up to 1 MiB of records, whole 500-event
/// batches as the writer packs them): ZstdSharp, which <c>BlockCodec</c> uses, against the system's libzstd
/// (<see cref="NativeZstd"/>), compress and decompress, one context each way reused as the codec does.
/// Two kinds of block: <c>repeated</c> is the reference 500 events over and over, what the writer compresses under the
/// load tool (every request sends the same body); <c>distinct</c> is events that differ (the workload generator with
/// other seeds), nearer real logs. Mean and Allocated are per block; setup prints the sizes and the record count.
/// </summary>
[MemoryDiagnoser]
public class ZstdBench
{
    private const int BlockBytes = 1024 * 1024;
    private const int Level = 1;

    private byte[] _records = [];
    private byte[] _frame = [];
    private byte[] _dest = [];
    private byte[] _back = [];
    private Compressor? _compressor;
    private Decompressor? _decompressor;
    private NativeZstd? _native;
    private NativeZstd.Context? _cctx;
    private NativeZstd.Context? _dctx;

    [Params("managed", "native")]
    public string Zstd { get; set; } = "native";

    [Params("repeated", "distinct")]
    public string Data { get; set; } = "repeated";

    [GlobalSetup]
    public void Setup()
    {
        int count;
        (_records, count) = Records(Data == "distinct");
        _dest = new byte[Compressor.GetCompressBound(_records.Length)];
        _back = new byte[_records.Length];
        if (Zstd == "native")
        {
            _native = NativeZstd.System ?? throw new InvalidOperationException($"{NativeZstd.SystemLibrary} does not load here");
            _cctx = _native.CreateCompressor();
            _dctx = _native.CreateDecompressor();
        }
        else
        {
            _compressor = new Compressor(Level);
            _decompressor = new Decompressor();
        }
        _frame = _dest.AsSpan(0, Compress()).ToArray();
        if (Decompress() != _records.Length || !_back.AsSpan().SequenceEqual(_records))
            throw new InvalidOperationException("zstd does not round-trip");
        Console.WriteLine($"// {Zstd}/{Data}: {count} records, {_records.Length:N0} B → {_frame.Length:N0} B ({(double)_records.Length / _frame.Length:F2}:1)");
    }

    [Benchmark]
    public int Compress() => _native != null
        ? _native.Compress(_cctx!, _records, _dest, Level)
        : _compressor!.Wrap(_records, _dest);

    [Benchmark]
    public int Decompress() => _native != null
        ? _native.Decompress(_dctx!, _frame, _back)
        : _decompressor!.Unwrap(_frame, _back);

    [GlobalCleanup]
    public void Cleanup()
    {
        _compressor?.Dispose();
        _decompressor?.Dispose();
        _cctx?.Dispose();
        _dctx?.Dispose();
    }

    /// <summary>Whole 500-event batches as the writer packs them, up to <see cref="BlockBytes"/> of records.</summary>
    private static (byte[] Records, int Count) Records(bool distinct)
    {
        using var batch = new RecordBatch();
        var block = new List<byte>(BlockBytes);
        int count = 0;
        for (ulong round = 0; ; round++)
        {
            byte[] body = distinct
                ? WorkloadGenerator.DrainBody(WorkloadGenerator.Events(seed: WorkloadGenerator.Seed + round))
                : BenchData.Drain500;
            batch.Reset();
            AstralogParser.Parse(body, 1, default, batch);
            if (block.Count + batch.ByteLength > BlockBytes) break;
            block.AddRange(batch.Bytes);
            count += batch.Count;
        }
        return ([.. block], count);
    }
}
