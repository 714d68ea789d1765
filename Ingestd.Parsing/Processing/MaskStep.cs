namespace Ingestd.Parsing.Processing;

/// <summary><c>mask</c>: replaces members named by path and secrets found by pattern in any string, by the configured action.</summary>
internal sealed class MaskStep(RewritePlan plan) : Step, IRewriteStep
{
    public override string Type => "mask";

    public RewritePlan Plan => plan;

    public RewritePlan FusablePlan => plan;

    public StepOutcome Prepare(EventWork work, ReadOnlySpan<byte> stream, int slotBase) => StepOutcome.Unchanged;

    protected override StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream)
    {
        work.Assignments.Reset(0);
        return JsonRewriter.Rewrite(work, plan) ? StepOutcome.Applied : StepOutcome.Unchanged;
    }
}
