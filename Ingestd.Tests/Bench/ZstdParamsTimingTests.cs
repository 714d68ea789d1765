using Ingestd.Bench.Micro;
using ZstdSharp;

namespace Ingestd.Tests.Bench;

public class ZstdParamsTimingTests
{
    [Fact]
    public void Blocks_are_whole_batches_up_to_the_block_size_as_the_writer_cuts_them()
    {
        var batches = new List<byte[]> { new byte[300], new byte[300], new byte[300], new byte[700], new byte[400] };
        var blocks = ZstdParamsTiming.Pack(batches, 1000);
        Assert.Equal([900, 700, 400], blocks.Select(b => b.Length));
    }

    [Fact]
    public void Every_case_compresses_records_to_a_frame_that_decompresses_to_them()
    {
        var records = ZstdParamsTiming.Batches(distinct: true)[0];
        var frame = new byte[Compressor.GetCompressBound(records.Length)];
        var back = new byte[records.Length];
        using var unzstd = new Decompressor();
        foreach (var c in ZstdParamsTiming.Cases)
        {
            using var zstd = ZstdParamsTiming.CompressorFor(c);
            int stored = zstd.Wrap(records, frame);
            Assert.Equal(records.Length, unzstd.Unwrap(frame.AsSpan(0, stored), back));
            Assert.True(back.AsSpan().SequenceEqual(records), c.Name);
        }
    }
}
