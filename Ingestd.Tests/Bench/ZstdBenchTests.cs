using Ingestd.Bench.Micro;

namespace Ingestd.Tests.Bench;

public class ZstdBenchTests
{
    [Theory]
    [InlineData("managed", "repeated")]
    [InlineData("native", "repeated")]
    [InlineData("managed", "distinct")]
    [InlineData("native", "distinct")]
    public void Each_case_compresses_a_block_that_decompresses_to_its_records(string zstd, string data)
    {
        // Setup itself refuses a case whose frame does not round-trip; the calls must then do the full work again.
        var bench = new ZstdBench { Zstd = zstd, Data = data };
        bench.Setup();
        try
        {
            int compressed = bench.Compress();
            int records = bench.Decompress();
            Assert.InRange(compressed, 1, records / 4);     // both kinds of block compress at least 4 : 1
            Assert.InRange(records, 800_000, 1024 * 1024); // whole 500-event batches, up to 1 MiB
        }
        finally
        {
            bench.Cleanup();
        }
    }

    [Fact]
    public void Missing_native_library_is_not_loaded()
        => Assert.Null(NativeZstd.TryLoad("libzstd-not-installed.so.0"));
}
