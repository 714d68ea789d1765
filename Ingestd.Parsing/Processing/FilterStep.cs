using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary><c>filter</c>: drops the events a condition holds for (<c>drop_if</c>) or does not hold for (<c>keep_if</c>).</summary>
internal sealed class FilterStep(Condition condition, bool dropWhenTrue) : Step
{
    public override string Type => "filter";

    public override void CollectPaths(List<FieldPath> into)
    {
        base.CollectPaths(into);
        condition.CollectPaths(into);
    }

    protected override StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream)
    {
        var fields = work.Fields(stream);
        bool holds = condition.Evaluate(ref fields);
        if (holds == dropWhenTrue)
        {
            work.Dropped = true;
            return StepOutcome.Dropped;
        }
        return StepOutcome.Kept;
    }
}
