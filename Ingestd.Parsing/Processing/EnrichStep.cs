using System.Buffers;
using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// <c>enrich</c>: sets, adds, renames and removes members; adds static tags, the receiving host, the receive time, the
/// tenant and the stream; looks fields up in a table. Every value is taken from the event as it was before the step, then
/// the JSON is rewritten once. Setting <c>tenant</c>, <c>service</c> or <c>level</c> (without <c>$.</c>) sets the record
/// header field, not the JSON.
/// </summary>
internal sealed class EnrichStep : Step, IRewriteStep
{
    private readonly RewritePlan _plan;
    private readonly EnrichValue[] _values;
    private readonly HeaderAssignment[] _headers;

    /// <param name="values">One per <see cref="RewritePlan.Assignments"/> entry of <paramref name="plan"/>.</param>
    public EnrichStep(RewritePlan plan, EnrichValue[] values, HeaderAssignment[] headers)
    {
        if (values.Length != plan.Assignments.Length) throw new ArgumentException("one value per assignment", nameof(values));
        _plan = plan;
        _values = values;
        _headers = headers;
    }

    public override string Type => "enrich";

    public override void CollectPaths(List<FieldPath> into)
    {
        base.CollectPaths(into);
        foreach (var v in _values) v.CollectPaths(into);
    }

    public RewritePlan FusablePlan => _plan;

    protected override StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream)
    {
        work.Assignments.Reset(_values.Length);
        work.ClearValues();
        var outcome = Prepare(work, stream, 0);
        bool changed = JsonRewriter.Rewrite(work, _plan);
        return changed ? StepOutcome.Applied : outcome;
    }

    /// <summary>Computes the values (from the event as it is) into slots from <paramref name="slotBase"/>, then sets the header fields.</summary>
    public StepOutcome Prepare(EventWork work, ReadOnlySpan<byte> stream, int slotBase)
    {
        var slots = work.Assignments;
        var fields = work.Fields(stream);
        for (int i = 0; i < _values.Length; i++)
        {
            if (_values[i].IsJsonText)
            {
                // Copied as it is: a writer's Reset, raw write and Flush per value would give the same bytes.
                if (_values[i].TryGetJson(ref fields, out var json) && !json.IsEmpty)
                {
                    slots.SetValue(slotBase + i, work.Values.WrittenCount, json.Length);
                    work.Values.Write(json);
                }
                continue;
            }
            var w = work.StartValue(out int start);
            if (_values[i].Write(work, ref fields, w)) slots.SetValue(slotBase + i, start, work.EndValue(start));
            else work.EndValue(start);
        }
        bool changed = false;
        foreach (var h in _headers)
        {
            var target = h.Field switch
            {
                RecordField.Tenant => work.Tenant,
                RecordField.Service => work.Service,
                _ => work.Level,
            };
            if (target.Span.SequenceEqual(h.Value)) continue;
            target.Set(h.Value);
            work.HeaderChanged = true;
            changed = true;
        }
        return changed ? StepOutcome.Applied : StepOutcome.Unchanged;
    }
}
