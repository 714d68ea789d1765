using System.Diagnostics;
using Ingestd.Parsing.Records;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Applies a <see cref="PipelineSet"/> to a request's batch. One per connection (not thread-safe), reused for every
/// request. A batch none of whose events a pipeline matches is left untouched (no copy); otherwise the result is built
/// in <see cref="Output"/>: events no step changed are copied as they are, changed ones written anew, dropped ones left
/// out. Counts per pipeline/step/outcome and step time add up in <see cref="Tallies"/> and <see cref="StepTicks"/>
/// until the owner takes them (once per batch, so the hot path has no shared counters). The events' JSON must already be
/// valid — the dialect parsers validated it, <c>ingestd pipeline test</c> validates each line — because the rewrite passes
/// read it with <see cref="TrustedJsonReader"/>, which follows its structure but does not check its strings again.
/// </summary>
internal sealed class PipelineRunner : IDisposable
{
    // Step time is measured on 1 event in 16 and scaled: timing every event would cost more than short steps do.
    private const int TimingMask = 15;

    private readonly EventWork _work = new();

    /// <summary>Fused passes this runner made by splicing (<see cref="JsonSplicer"/>), for tests.</summary>
    internal long SplicedPasses => _work.Spliced;
    private long _events;

    // How large the last result was against its batch, in percent (125 to 400): the output is reserved so, since a
    // pipeline that adds members (a parsed copy of the message) makes every batch about that much larger, and a buffer
    // outgrown in the middle of a batch is copied whole into a bigger one.
    private long _growthPercent = 125;

    public RecordBatch Output { get; } = new();

    /// <summary>Per tally slot of the set last applied (see <see cref="PipelineSet.TallyCount"/>); the owner reads and clears them.</summary>
    public long[] Tallies { get; private set; } = [];

    /// <summary><see cref="Stopwatch"/> ticks per step (by order in the set), estimated from sampled events.</summary>
    public long[] StepTicks { get; private set; } = [];

    /// <summary>
    /// Runs the pipelines over <paramref name="batch"/>. True when the result differs from the batch: it is then in
    /// <see cref="Output"/> (which the caller swaps in or copies, then resets).
    /// </summary>
    public bool Apply(PipelineSet set, RecordBatch batch)
    {
        if (Tallies.Length != set.TallyCount) Tallies = new long[set.TallyCount];
        if (StepTicks.Length != set.StepCount) StepTicks = new long[set.StepCount];
        Output.Reset();
        if (set.IsEmpty || batch.Count == 0) return false;
        _work.Splices = set.Spliced;

        var bytes = batch.Bytes;
        bool started = false;
        int at = 0;
        while (at < bytes.Length && RecordView.TryRead(bytes[at..], out var record, out int length))
        {
            var recordBytes = bytes.Slice(at, length);
            bool handled = false;
            foreach (var pipeline in set.Pipelines)
            {
                // After a continued pipeline, later matches see the header fields as steps left them.
                bool matches = handled
                    ? pipeline.Match.Matches(_work.Tenant.Span, record.Dialect, record.Stream, _work.Service.Span, _work.Level.Span)
                    : pipeline.Match.Matches(record.Tenant, record.Dialect, record.Stream, record.Service, record.Level);
                if (!matches) continue;
                if (!started)
                {
                    // One buffer for the whole result: as much larger than the batch as the last result was.
                    Output.Reserve((int)Math.Min(Array.MaxLength, bytes.Length * _growthPercent / 100 + 1024));
                    Output.AppendRecords(bytes[..at], CountBefore(bytes, at));
                    started = true;
                }
                if (!handled)
                {
                    _work.Load(record, batch.BytesArray, at);
                    _work.Sequence = _events++;
                    handled = true;
                }
                Tallies[pipeline.MatchedTally]++;
                RunSteps(pipeline, record.Stream);
                if (_work.Dropped || !pipeline.Continue) break;
            }
            if (started)
            {
                if (handled && _work.Dropped) { }
                else if (!handled || !_work.Changed) Output.AppendRecords(recordBytes, 1);
                else
                    Output.Append(_work.ReceivedNs, _work.EventNs, record.Dialect, record.Kind, _work.Tenant.Span, _work.Level.Span,
                        _work.Service.Span, record.TimestampText, _work.Json, record.Stream, _work.Routes.Span);
            }
            at += length;
        }
        // Bounded: one odd batch (a few tiny events given large members) must not make every later reservation huge.
        if (started) _growthPercent = Math.Clamp(Output.ByteLength * 100L / Math.Max(1, bytes.Length) + 5, 125, 400);
        return started;
    }

    private void RunSteps(Pipeline pipeline, ReadOnlySpan<byte> stream)
    {
        bool timed = (_work.Sequence & TimingMask) == 0;
        var steps = pipeline.Steps;
        var runs = pipeline.Runs;
        Span<StepOutcome> outcomes = stackalloc StepOutcome[RewriteFusion.MaxRun];
        for (int i = 0; i < steps.Length;)
        {
            long t0 = timed ? Stopwatch.GetTimestamp() : 0;
            if (runs?[i] is { } run)
            {
                run.Apply(_work, stream, outcomes);
                // One pass for the run: its time is shared out evenly among its steps.
                if (timed)
                {
                    long share = (Stopwatch.GetTimestamp() - t0) * (TimingMask + 1) / run.Length;
                    for (int k = 0; k < run.Length; k++) StepTicks[steps[i + k].Index] += share;
                }
                for (int k = 0; k < run.Length; k++) Tallies[steps[i + k].TallyBase + (int)outcomes[k]]++;
                i += run.Length;
                continue;
            }
            var step = steps[i++];
            var outcome = step.Run(_work, stream);
            if (timed) StepTicks[step.Index] += (Stopwatch.GetTimestamp() - t0) * (TimingMask + 1);
            Tallies[step.TallyBase + (int)outcome]++;
            if (_work.Dropped) return;
        }
    }

    private static int CountBefore(ReadOnlySpan<byte> bytes, int end)
    {
        int count = 0;
        for (int at = 0; at < end; at += RecordLayout.ReadLength(bytes[at..])) count++;
        return count;
    }

    public void Dispose() => Output.Dispose();
}
