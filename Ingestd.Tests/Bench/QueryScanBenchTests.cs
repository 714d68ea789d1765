using Ingestd.Bench.Query;

namespace Ingestd.Tests.Bench;

/// <summary>The <c>query-scan</c> bench runs end to end on a small data set (speed is the bench's business, not the test's).</summary>
public class QueryScanBenchTests
{
    [Fact]
    public void Query_scan_generates_segments_scans_them_and_cleans_up()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ingestd-query-scan-test-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        Assert.Equal(0, QueryScanCommand.Run(["--records", "20000", "--hours", "2", "--dir", dir], output));
        Assert.Contains("q that matches nothing (full scan)", output.ToString());
        Assert.Contains("read 20,000 records", output.ToString());
        Assert.False(Directory.Exists(dir));
    }
}
