using System.Diagnostics;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Parsing.Processing;
using Ingestd.Parsing.Records;

namespace Ingestd.Processing;

/// <summary>
/// The processing layer on the request path (issue #12): right before a request's batch is published, the pipelines
/// in force rewrite, drop or tag its events. The compiled pipelines are swapped whole on reload (a request uses one
/// version throughout); with none configured, or none matching, the batch goes on untouched.
/// </summary>
internal sealed class ProcessingStage(Metrics metrics)
{
    private CompiledPipelines _current = new(PipelineSet.Empty, metrics);

    public PipelineSet Current => Volatile.Read(ref _current).Set;

    /// <summary>Compiles the pipelines of <paramref name="config"/> (throws <see cref="ConfigException"/>, leaving the running ones) and swaps them in.</summary>
    public void Load(IngestdConfig config) => Swap(PipelineCompiler.Compile(config));

    public void Swap(PipelineSet set) => Volatile.Write(ref _current, new CompiledPipelines(set, metrics));

    /// <summary>
    /// Applies the pipelines to <paramref name="batch"/> in place: afterwards it holds the events to store (its buffer
    /// exchanged with the runner's output when anything changed). Tallies go to the metrics once per batch. False when
    /// a defect stopped the pipelines: the batch is then emptied (unprocessed events may hold what a mask would have
    /// removed, so they are never stored) and the request must be refused. <paramref name="runner"/> is the
    /// connection's, made here on its first request that has pipelines to run (~2 KB of buffers: a connection of
    /// a daemon without pipelines, or a client that reconnects often, should not pay for them).
    /// </summary>
    public bool Apply(RecordBatch batch, ref PipelineRunner? runner)
    {
        var compiled = Volatile.Read(ref _current);
        if (compiled.Set.IsEmpty) return true;
        runner ??= new PipelineRunner();
        try
        {
            if (runner.Apply(compiled.Set, batch))
            {
                batch.SwapWith(runner.Output);
                runner.Output.Reset();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The exception's message is not logged: it could quote event content.
            Log.Error($"pipelines: unexpected {e.GetType().Name}; the request's events were not stored");
            batch.Reset();
            runner.Output.Reset();
            return false;
        }
        Flush(compiled, runner);
        return true;
    }

    private static void Flush(CompiledPipelines compiled, PipelineRunner runner)
    {
        var tallies = runner.Tallies;
        for (int i = 0; i < tallies.Length; i++)
        {
            if (tallies[i] == 0) continue;
            compiled.EventCounters[i].Add(tallies[i]);
            tallies[i] = 0;
        }
        var ticks = runner.StepTicks;
        for (int i = 0; i < ticks.Length; i++)
        {
            if (ticks[i] == 0) continue;
            compiled.StepNanos[i].Add((long)(ticks[i] * (1e9 / Stopwatch.Frequency)));
            ticks[i] = 0;
        }
    }
}
