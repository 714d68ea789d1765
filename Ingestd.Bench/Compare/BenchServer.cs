namespace Ingestd.Bench.Compare;

/// <summary>The servers the comparison knows, by the names used in its tables.</summary>
internal enum BenchServer
{
    IngestdWrite,
    IngestdFsync,
    /// <summary>ingestd-write with the issue #12 pipeline (<c>workload-data/pipeline-drain.conf</c>).</summary>
    IngestdPipeline,
    KestrelOrdinary,
    KestrelIngestd,
    Nginx,

    /// <summary>Another ingestd binary under write durability (<c>compare --baseline PATH</c>): a before/after in one run.</summary>
    IngestdBaseline,
}

internal static class BenchServerNames
{
    public static string Name(this BenchServer server) => server switch
    {
        BenchServer.IngestdWrite => "ingestd-write",
        BenchServer.IngestdFsync => "ingestd-fsync",
        BenchServer.IngestdPipeline => "ingestd-pipeline",
        BenchServer.KestrelOrdinary => "kestrel-ordinary",
        BenchServer.KestrelIngestd => "kestrel-ingestd",
        BenchServer.Nginx => "nginx",
        BenchServer.IngestdBaseline => "ingestd-baseline",
        _ => throw new ArgumentOutOfRangeException(nameof(server)),
    };
}
