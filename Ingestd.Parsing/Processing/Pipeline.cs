namespace Ingestd.Parsing.Processing;

/// <summary>One configured pipeline: which events it takes, its steps in order, and whether later pipelines may also apply.</summary>
internal sealed class Pipeline
{
    public required string Name { get; init; }
    public required PipelineMatch Match { get; init; }
    public required Step[] Steps { get; init; }

    /// <summary><c>continue</c>: after this pipeline, the next matching one applies too (otherwise the first match wins).</summary>
    public bool Continue { get; init; }

    /// <summary>Per step position, the <see cref="RewriteRun"/> of consecutive rewriting steps starting there (assigned by <see cref="PipelineSet"/>); null when none share a pass.</summary>
    public RewriteRun?[]? Runs { get; internal set; }

    /// <summary>Where this pipeline's "matched" tally is (assigned by <see cref="PipelineSet"/>).</summary>
    public int MatchedTally { get; internal set; }
}
