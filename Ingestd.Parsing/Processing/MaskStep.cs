namespace Ingestd.Parsing.Processing;

/// <summary><c>mask</c>: replaces members named by path and secrets found by pattern in any string, by the configured action.</summary>
internal sealed class MaskStep(RewritePlan plan) : Step
{
    public override string Type => "mask";

    public RewritePlan Plan => plan;

    protected override StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream)
    {
        work.Assignments.Reset(0);
        return JsonRewriter.Rewrite(work, plan) ? StepOutcome.Applied : StepOutcome.Unchanged;
    }
}
