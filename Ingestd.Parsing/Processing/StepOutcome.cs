namespace Ingestd.Parsing.Processing;

/// <summary>What a step did to one event; the <c>outcome</c> label of <c>ingestd_pipeline_events_total</c>.</summary>
internal enum StepOutcome : byte
{
    /// <summary>The step changed the event (or tagged it).</summary>
    Applied,
    /// <summary>The step ran and had nothing to change.</summary>
    Unchanged,
    /// <summary>The step's <c>if</c> condition was false.</summary>
    Skipped,
    /// <summary>A filter or sample let the event through.</summary>
    Kept,
    /// <summary>A filter or sample dropped the event: it is not stored (the request still counts it as accepted).</summary>
    Dropped,
    /// <summary>A parse step could not parse the field: the event is kept, tagged <c>_parse_error</c>.</summary>
    ParseError,
}

internal static class StepOutcomes
{
    public const int Count = 6;

    public static string Name(StepOutcome o) => o switch
    {
        StepOutcome.Applied => "applied",
        StepOutcome.Unchanged => "unchanged",
        StepOutcome.Skipped => "skipped",
        StepOutcome.Kept => "kept",
        StepOutcome.Dropped => "dropped",
        _ => "parse_error",
    };
}
