namespace Ingestd.Parsing.Processing;

/// <summary>
/// A step that changes the event's JSON by a <see cref="RewritePlan"/> (parse, mask, enrich), in two halves so that
/// consecutive ones can share one pass (<see cref="RewriteRun"/>): compute its values, then the plan is applied.
/// </summary>
internal interface IRewriteStep
{
    /// <summary>The plan this step applies in a shared pass; its assignments' values are at the slots <see cref="Prepare"/> fills.</summary>
    RewritePlan FusablePlan { get; }

    /// <summary>
    /// Computes the step's values from the event as it is into the work's slots from <paramref name="slotBase"/> (one per
    /// assignment of <see cref="FusablePlan"/>; left empty when none) and applies its record header changes. The outcome
    /// apart from the JSON: <see cref="StepOutcome.Unchanged"/> unless the step did something already.
    /// </summary>
    StepOutcome Prepare(EventWork work, ReadOnlySpan<byte> stream, int slotBase);
}
