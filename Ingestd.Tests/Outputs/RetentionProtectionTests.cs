using Ingestd.Storage;
using Ingestd.Tests.Storage;

namespace Ingestd.Tests.Outputs;

/// <summary>The segment log's retention tells the outputs before it deletes sequences they have not delivered.</summary>
public class RetentionProtectionTests
{
    [Fact]
    public void Deleting_a_segment_an_output_still_needs_is_reported_with_its_sequences()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path, maxBytes: 100, retention: 1);
        var reported = new List<(long First, long End)>();
        log.ProtectedFrom = () => 3;
        log.DeletingProtected = (_, first, end) => reported.Add((first, end));
        for (int i = 0; i < 4; i++) Fixtures.Append(log, 2, i * 2);

        // Segments [0,2) were delivered (below 3): deleted silently; [2,4) and [4,6) held undelivered sequences.
        Assert.Equal([(2L, 4L), (4L, 6L)], reported);
    }

    [Fact]
    public void Without_outputs_retention_reports_nothing()
    {
        using var dir = new TempDir();
        using var log = Fixtures.Open(dir.Path, maxBytes: 100, retention: 1);
        var reported = new List<long>();
        log.DeletingProtected = (_, first, _) => reported.Add(first);
        for (int i = 0; i < 4; i++) Fixtures.Append(log, 2, i * 2);
        Assert.Empty(reported);
    }
}
