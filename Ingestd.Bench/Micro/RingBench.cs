using BenchmarkDotNet.Attributes;
using Ingestd.Parsing.Dialects.Astralog;
using Ingestd.Parsing.Records;
using Ingestd.Ring;

namespace Ingestd.Bench.Micro;

/// <summary>
/// The lock-free ring with 1, 2 and 4 producer threads each publishing 500-event batches (the reference
/// request) while the benchmark thread consumes, as the segment writer does. Each invocation moves a fixed
/// 64 batches (32,000 events) whatever the producer count, so Mean is per event. The ring is 8 MiB
/// (~36 batches) so it wraps and fills, and producers meet backpressure as they would under load.
/// On a 2-core machine 2 and 4 producers oversubscribe the cores: that contention is part of what is measured.
/// </summary>
[MemoryDiagnoser]
public class RingBench
{
    private const int BatchesPerInvoke = 64;
    private const int EventsPerInvoke = BatchesPerInvoke * BenchData.Events;

    private readonly RecordBatch _batch = new();
    private EventRing _ring = null!;
    private Thread[] _producers = [];
    private SemaphoreSlim[] _go = [];
    private volatile bool _stop;

    [Params(1, 2, 4)]
    public int Producers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        AstralogParser.Parse(BenchData.Drain500, 1, default, _batch);
        _ring = new EventRing(8 * 1024 * 1024);
        _stop = false;
        _go = new SemaphoreSlim[Producers];
        _producers = new Thread[Producers];
        for (int p = 0; p < Producers; p++)
        {
            var go = _go[p] = new SemaphoreSlim(0);
            _producers[p] = new Thread(() => Produce(go)) { IsBackground = true, Name = "bench-producer-" + p };
            _producers[p].Start();
        }
    }

    private void Produce(SemaphoreSlim go)
    {
        int quota = BatchesPerInvoke / Producers;
        while (true)
        {
            go.Wait();
            if (_stop) return;
            for (int i = 0; i < quota; i++)
            {
                // Ring full: spin (yielding, never sleeping 1 ms) until the consumer frees room.
                var spin = new SpinWait();
                while (!_ring.TryPublish(_batch.Bytes, _batch.Count, _batch.MinEventNs, _batch.MaxEventNs, out _))
                    spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public long PublishConsume()
    {
        foreach (var go in _go) go.Release();
        long records = 0;
        int batches = 0;
        var spin = new SpinWait();
        while (batches < BatchesPerInvoke)
        {
            if (_ring.TryRead(out _, out int count, out _, out _, out _))
            {
                records += count;
                batches++;
                _ring.Release();
                spin.Reset();
            }
            else
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
        return records;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        foreach (var go in _go) go.Release();
        foreach (var t in _producers) t.Join();
        foreach (var go in _go) go.Dispose();
        _batch.Dispose();
    }
}
