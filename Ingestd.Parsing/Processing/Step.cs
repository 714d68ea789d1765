using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>One step of a pipeline, compiled at load. Shared by every connection: per-event state lives in <see cref="EventWork"/>.</summary>
internal abstract class Step
{
    /// <summary>The step's name in metrics and <c>pipeline test</c> output (<c>name</c>, or its position and type).</summary>
    public required string Name { get; init; }

    /// <summary><c>if</c>: the step runs only on events this holds for.</summary>
    public Condition? If { get; init; }

    public abstract string Type { get; }

    /// <summary>Where this step's tallies start in a runner's counters (assigned by <see cref="PipelineSet"/>).</summary>
    public int TallyBase { get; internal set; }

    /// <summary>The step's position among all steps of its set (for per-step time).</summary>
    public int Index { get; internal set; }

    /// <summary>Every path the step reads or writes, for locator slots.</summary>
    public virtual void CollectPaths(List<FieldPath> into) => If?.CollectPaths(into);

    public StepOutcome Run(EventWork work, ReadOnlySpan<byte> stream)
    {
        if (If is not null)
        {
            var fields = work.Fields(stream);
            if (!If.Evaluate(ref fields)) return StepOutcome.Skipped;
        }
        return Apply(work, stream);
    }

    protected abstract StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream);
}
