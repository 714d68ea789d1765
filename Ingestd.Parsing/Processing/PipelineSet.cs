using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Every pipeline of one configuration, compiled: built once at load (and on each reload, then swapped in whole), shared
/// read-only by all connections. Assigns each step its tally slots and each JSON path its locator slot.
/// </summary>
internal sealed class PipelineSet
{
    public static PipelineSet Empty { get; } = new([]);

    /// <param name="fuse">Whether consecutive rewriting steps share one pass where that gives the same result (<see cref="RewriteFusion"/>); off only to compare.</param>
    /// <param name="splice">Whether fused passes may be spliced (<see cref="JsonSplicer"/>); off only to compare.</param>
    public PipelineSet(IReadOnlyList<Pipeline> pipelines, bool fuse = true, bool splice = true)
    {
        Pipelines = pipelines.ToArray();
        Fused = fuse;
        Spliced = splice;
        var table = new PathTable();
        int tally = 0;
        int steps = 0;
        foreach (var pipeline in Pipelines)
        {
            pipeline.MatchedTally = tally++;
            pipeline.Runs = fuse ? RewriteFusion.Runs(pipeline.Steps, splice) : null;
            foreach (var step in pipeline.Steps)
            {
                step.TallyBase = tally;
                step.Index = steps;
                tally += StepOutcomes.Count;
                steps++;
                var paths = new List<FieldPath>();
                step.CollectPaths(paths);
                foreach (var p in paths)
                {
                    if (p.IsHeader || p.HasWildcard) continue;
                    // Conditions and values share slots by path text; a FieldPath object takes the slot of its text.
                    var shared = table.Intern(p);
                    if (!ReferenceEquals(shared, p)) p.Slot = shared.Slot;
                }
            }
        }
        TallyCount = tally;
        StepCount = steps;
    }

    public Pipeline[] Pipelines { get; }

    public bool Fused { get; }

    /// <summary>Whether rewrite passes may be spliced (<see cref="JsonSplicer"/>); off only to compare.</summary>
    public bool Spliced { get; }

    /// <summary>The same pipelines with every step applied on its own (for comparing against fusion): new pipeline objects, the same steps.</summary>
    public PipelineSet WithoutFusion() => new(Pipelines.Select(p => new Pipeline { Name = p.Name, Match = p.Match, Steps = p.Steps, Continue = p.Continue }).ToList(), fuse: false);

    /// <summary>The same pipelines fused but every pass written by the writer, never spliced (to compare against splicing).</summary>
    public PipelineSet WithoutSplice() => new(Pipelines.Select(p => new Pipeline { Name = p.Name, Match = p.Match, Steps = p.Steps, Continue = p.Continue }).ToList(), fuse: Fused, splice: false);

    /// <summary>The same pipelines unfused, their parse steps locating the field before any pass; only to compare.</summary>
    public PipelineSet LocatingFields() => new(Pipelines.Select(p => new Pipeline
    {
        Name = p.Name,
        Match = p.Match,
        Steps = p.Steps.Select(s => s is ParseStep parse ? parse.Locating() : s).ToArray(),
        Continue = p.Continue,
    }).ToList(), fuse: false);

    public bool IsEmpty => Pipelines.Length == 0;

    /// <summary>Counters a runner keeps per batch: one "matched" per pipeline, <see cref="StepOutcomes.Count"/> per step.</summary>
    public int TallyCount { get; }

    public int StepCount { get; }
}
