using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Framing;

namespace Ingestd.Bench.Micro;

/// <summary>NDJSON framing: <see cref="LineFramer"/> over the 500-line reference body, per line.</summary>
[MemoryDiagnoser]
public class FramingBench
{
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        _body = BenchData.Ndjson500;
        var lines = new LineFramer(_body);
        int count = 0;
        while (lines.MoveNext()) count++;
        if (count != BenchData.Events) throw new InvalidOperationException($"ndjson-500.ndjson frames into {count} lines");
    }

    /// <summary>Returns the framed bytes so the loop cannot be optimised away.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.Events)]
    public long Lines()
    {
        long bytes = 0;
        foreach (var line in new LineFramer(_body)) bytes += line.Length;
        return bytes;
    }
}
