using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Consecutive rewriting steps (parse, mask, enrich) applied in one read and one write of the event instead of one
/// each, with the same result as one after another (<see cref="RewriteFusion"/> decides at load which steps may share a
/// pass). Each step's <c>if</c> and values are taken in order first, then one fused <see cref="RewritePlan"/> is
/// applied; when that pass cannot prove it equal (see <see cref="JsonRewriter.RewriteFused"/>), the steps' own plans
/// are applied in turn instead, with the values already computed.
/// </summary>
internal sealed class RewriteRun
{
    private readonly Step[] _steps;
    private readonly IRewriteStep[] _rewrites;
    private readonly int[] _slotBase;
    private readonly int _slots;
    private readonly int _inPass;
    private readonly RewritePlan _plan;
    private readonly bool _splice;

    /// <param name="splice">Whether the pass may be spliced (<see cref="JsonSplicer"/>) where that gives the writer pass's bytes; off only to compare.</param>
    public RewriteRun(Step[] steps, bool splice = true)
    {
        if (steps.Length is < 2 or > RewriteFusion.MaxRun) throw new ArgumentException("a run has 2 to 64 steps", nameof(steps));
        _steps = steps;
        _rewrites = new IRewriteStep[steps.Length];
        _slotBase = new int[steps.Length];
        var masks = new List<FieldPath>();
        var patterns = new List<MaskPattern>();
        MaskAction? action = null;
        int maskOwner = -1;
        var removes = new List<FieldPath>();
        var removeOwners = new List<byte>();
        var assignments = new List<Assignment>();
        var assignmentOwners = new List<byte>();
        for (int k = 0; k < steps.Length; k++)
        {
            var rewrite = (IRewriteStep)steps[k];
            _rewrites[k] = rewrite;
            _slotBase[k] = assignments.Count;
            var plan = rewrite.FusablePlan;
            if (plan.Action is not null)
            {
                if (maskOwner >= 0) throw new ArgumentException("a run has at most one mask", nameof(steps));
                maskOwner = k;
                action = plan.Action;
                masks.AddRange(plan.MaskPaths);
                patterns.AddRange(plan.Patterns);
            }
            foreach (var r in plan.Removes)
            {
                removes.Add(r);
                removeOwners.Add((byte)k);
            }
            foreach (var a in plan.Assignments)
            {
                assignments.Add(a);
                assignmentOwners.Add((byte)k);
            }
        }
        _slots = assignments.Count;
        // At most one parse step is in a run (two would both set _parse_error).
        _inPass = Array.FindIndex(steps, s => s is ParseStep { ReadsInPass: true });
        var maskOnly = new RewritePlan { MaskPaths = masks.ToArray(), Patterns = patterns.ToArray(), Action = action };
        _plan = new RewritePlan
        {
            MaskPaths = maskOnly.MaskPaths,
            Patterns = maskOnly.Patterns,
            Action = action,
            Removes = removes.ToArray(),
            Assignments = assignments.ToArray(),
            Fused = new FusedParts
            {
                RemoveOwners = removeOwners.ToArray(),
                AssignmentOwners = assignmentOwners.ToArray(),
                MaskOwner = maskOwner,
                MaskOnly = maskOnly,
            },
        };
        _splice = splice && JsonSplicer.Fits(_plan);
    }

    /// <summary>How many steps the run covers (from its first).</summary>
    public int Length => _steps.Length;

    /// <summary>Applies the steps to the event; each one's outcome in <paramref name="outcomes"/> (by position in the run).</summary>
    public void Apply(EventWork work, ReadOnlySpan<byte> stream, Span<StepOutcome> outcomes)
    {
        work.ClearValues();
        work.Assignments.Reset(_slots);
        ulong active = 0;
        int inPass = -1;
        for (int k = 0; k < _steps.Length; k++)
        {
            // Conditions see the header fields as the steps before left them; the JSON fields they read no earlier step of the run changes.
            if (_steps[k].If is { } condition)
            {
                var fields = work.Fields(stream);
                if (!condition.Evaluate(ref fields))
                {
                    outcomes[k] = StepOutcome.Skipped;
                    continue;
                }
            }
            active |= 1UL << k;
            // The parse step whose field the pass reads anyway parses it there (fusion lets no earlier step of the run
            // change the field, so the pass sees it as the step would have).
            if (k == _inPass)
            {
                outcomes[k] = StepOutcome.Unchanged;
                inPass = k;
                continue;
            }
            outcomes[k] = _rewrites[k].Prepare(work, stream, _slotBase[k]);
        }
        if (active == 0) return;
        var json = work.Json;
        bool objectText = !json.IsEmpty && json[0] == (byte)'{';
        var parse = inPass >= 0 ? (ParseStep)_steps[inPass] : null;
        int parseSlots = inPass >= 0 ? _slotBase[inPass] : 0;
        ulong changed;
        bool sequential = false;
        StepOutcome? parsed;
        // Splicing gives up (and leaves the event as it was) wherever it cannot show it gives the writer pass's bytes.
        if (!_splice || !work.Splices || !JsonSplicer.TrySplice(work, _plan, active, objectText ? parse : null, parseSlots, out _, out changed, out parsed))
            JsonRewriter.RewriteFused(work, _plan, active, out changed, out sequential, objectText ? parse : null, parseSlots, out parsed);
        if (parse is not null)
        {
            // No pass over text that does not start as an object: the step's outcome as it would have located the field.
            if (parsed is { } o) outcomes[inPass] = o;
            else if (!objectText) outcomes[inPass] = parse.Prepare(work, stream, _slotBase[inPass]);
        }
        if (sequential)
        {
            work.Assignments.ClearDone(_slots);
            changed = 0;
            for (int k = 0; k < _steps.Length; k++)
                if ((active & (1UL << k)) != 0 && JsonRewriter.Rewrite(work, _rewrites[k].FusablePlan, _slotBase[k])) changed |= 1UL << k;
        }
        for (int k = 0; k < _steps.Length; k++)
            if (outcomes[k] == StepOutcome.Unchanged && (changed & (1UL << k)) != 0) outcomes[k] = StepOutcome.Applied;
    }
}

/// <summary>
/// Decides, when a pipeline is compiled, which consecutive rewriting steps share one pass (<see cref="RewriteRun"/>).
/// A step joins the run before it only when their effects provably do not interact, so the shared pass gives what the
/// steps give one after another:
/// <list type="bullet">
/// <item>at most one mask per run; any other step (filter, sample, route) ends the run;</item>
/// <item>the JSON fields a step reads (its <c>if</c>, its values, parse's field) are written by no earlier step of the
/// run, and there is no earlier mask pattern (which could change any string);</item>
/// <item>two non-mask steps set or remove no overlapping members (one path a prefix of the other);</item>
/// <item>no mask path names a member above one another step sets or removes (a mask over an object an earlier step
/// changed inside would mask the new text). A member an earlier step sets at or above a mask path is written through
/// the mask; a later step setting or removing one the mask could change is found per event (then the steps run one
/// by one).</item>
/// </list>
/// </summary>
internal static class RewriteFusion
{
    public const int MaxRun = 64;

    /// <summary>Per step position, the run starting there (null elsewhere); null when no two steps share a pass.</summary>
    public static RewriteRun?[]? Runs(Step[] steps, bool splice = true)
    {
        RewriteRun?[]? runs = null;
        int start = 0;
        while (start < steps.Length)
        {
            int end = start + 1;
            if (steps[start] is IRewriteStep)
                while (end < steps.Length && end - start < MaxRun && CanJoin(steps, start, end)) end++;
            if (end - start >= 2)
            {
                runs ??= new RewriteRun?[steps.Length];
                runs[start] = new RewriteRun(steps[start..end], splice);
            }
            start = end;
        }
        return runs;
    }

    /// <summary>Whether <c>steps[next]</c> may share a pass with <c>steps[start..next)</c>.</summary>
    public static bool CanJoin(Step[] steps, int start, int next)
    {
        if (steps[next] is not IRewriteStep later) return false;
        var b = later.FusablePlan;
        bool bMask = steps[next] is MaskStep;
        var reads = new List<FieldPath>();
        steps[next].CollectPaths(reads);
        reads.RemoveAll(p => p.IsHeader);
        for (int k = start; k < next; k++)
        {
            var a = ((IRewriteStep)steps[k]).FusablePlan;
            bool aMask = steps[k] is MaskStep;
            if (aMask && bMask) return false;
            if (reads.Count > 0 && aMask && a.Patterns.Length > 0) return false;
            foreach (var r in reads)
            {
                foreach (var w in SetOrRemoved(a))
                    if (MayOverlap(r, w)) return false;
                if (aMask)
                    foreach (var m in a.MaskPaths)
                        if (MayOverlap(r, m)) return false;
            }
            if (bMask || aMask)
            {
                var mask = bMask ? b : a;
                foreach (var m in mask.MaskPaths)
                    foreach (var w in SetOrRemoved(bMask ? a : b))
                        if (MayBeAbove(m, w)) return false;
            }
            else
            {
                foreach (var wa in SetOrRemoved(a))
                    foreach (var wb in SetOrRemoved(b))
                        if (MayOverlap(wa, wb)) return false;
            }
        }
        return true;
    }

    private static IEnumerable<FieldPath> SetOrRemoved(RewritePlan plan)
    {
        foreach (var a in plan.Assignments) yield return a.Path;
        foreach (var r in plan.Removes) yield return r;
    }

    // Whether some member could be named by one path and lie at or below one named by the other (a wildcard segment matches any name).
    private static bool MayOverlap(FieldPath p, FieldPath q)
    {
        int n = Math.Min(p.Segments.Length, q.Segments.Length);
        for (int i = 0; i < n; i++)
            if (!SegmentsMayMatch(p.Segments[i], q.Segments[i])) return false;
        return true;
    }

    // Whether `above` could name a member strictly above one `below` names.
    private static bool MayBeAbove(FieldPath above, FieldPath below)
        => above.Segments.Length < below.Segments.Length && MayOverlap(above, below);

    private static bool SegmentsMayMatch(byte[] a, byte[] b) => a is [(byte)'*'] || b is [(byte)'*'] || a.AsSpan().SequenceEqual(b);
}
