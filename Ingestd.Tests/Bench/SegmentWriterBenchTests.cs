using Ingestd.Bench.Micro;

namespace Ingestd.Tests.Bench;

public class SegmentWriterBenchTests
{
    [Fact]
    public async Task Every_call_publishes_the_whole_500_event_batch_again()
    {
        // The pipeline hands a batch's bytes back to the pool after publishing; a benchmark that reuses
        // its batch without keepBatch measured empty publishes after the first call.
        var bench = new SegmentWriterBench { Durability = "write" };
        bench.Setup();
        try
        {
            for (int i = 0; i < 3; i++) await bench.Publish();
            Assert.Equal(3 * 500, bench.RecordsWritten);
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
