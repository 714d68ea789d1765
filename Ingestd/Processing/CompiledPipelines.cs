using Ingestd.Diagnostics;
using Ingestd.Parsing.Processing;

namespace Ingestd.Processing;

/// <summary>A compiled <see cref="PipelineSet"/> with the metric counters its tallies add to, resolved once at load.</summary>
internal sealed class CompiledPipelines
{
    public CompiledPipelines(PipelineSet set, Metrics metrics)
    {
        Set = set;
        EventCounters = new Metrics.Counter[set.TallyCount];
        StepNanos = new Metrics.Counter[set.StepCount];
        foreach (var pipeline in set.Pipelines)
        {
            EventCounters[pipeline.MatchedTally] = metrics.PipelineEvent(pipeline.Name, "match", "matched");
            foreach (var step in pipeline.Steps)
            {
                for (int o = 0; o < StepOutcomes.Count; o++)
                    EventCounters[step.TallyBase + o] = metrics.PipelineEvent(pipeline.Name, step.Name, StepOutcomes.Name((StepOutcome)o));
                StepNanos[step.Index] = metrics.PipelineStepTime(pipeline.Name, step.Name);
            }
        }
    }

    public PipelineSet Set { get; }

    public Metrics.Counter[] EventCounters { get; }

    public Metrics.Counter[] StepNanos { get; }
}
