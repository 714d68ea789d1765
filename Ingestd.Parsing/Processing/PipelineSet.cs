using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Every pipeline of one configuration, compiled: built once at load (and on each reload, then swapped in whole), shared
/// read-only by all connections. Assigns each step its tally slots and each JSON path its locator slot.
/// </summary>
internal sealed class PipelineSet
{
    public static PipelineSet Empty { get; } = new([]);

    public PipelineSet(IReadOnlyList<Pipeline> pipelines)
    {
        Pipelines = pipelines.ToArray();
        var table = new PathTable();
        int tally = 0;
        int steps = 0;
        foreach (var pipeline in Pipelines)
        {
            pipeline.MatchedTally = tally++;
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

    public bool IsEmpty => Pipelines.Length == 0;

    /// <summary>Counters a runner keeps per batch: one "matched" per pipeline, <see cref="StepOutcomes.Count"/> per step.</summary>
    public int TallyCount { get; }

    public int StepCount { get; }
}
