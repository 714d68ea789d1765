using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// <c>parse</c>: parses a string field (<c>field</c>) by a format and puts the result under <c>target</c>. When the text
/// does not parse, the event is kept as it is and tagged with a top-level <c>_parse_error</c> member saying which format
/// failed and why (never quoting the text). A missing or non-string field leaves the event unchanged.
/// </summary>
internal sealed class ParseStep : Step, IRewriteStep
{
    private static readonly FieldPath ErrorPath = FieldPath.Parse("$._parse_error");

    private readonly FieldPath _field;
    private readonly LineParser _parser;
    private readonly RewritePlan _success;
    private readonly RewritePlan _failure;
    private readonly RewritePlan _fusable;

    public ParseStep(FieldPath field, FieldPath target, LineParser parser)
    {
        _field = field;
        _parser = parser;
        _success = new RewritePlan { Assignments = [new Assignment(target, Overwrite: true)] };
        _failure = new RewritePlan { Assignments = [new Assignment(ErrorPath, Overwrite: true)] };
        _fusable = new RewritePlan { Assignments = [_success.Assignments[0], _failure.Assignments[0]] };
    }

    /// <summary>The parsed value (slot 0) or the error (slot 1): one of them has a value per event.</summary>
    public RewritePlan FusablePlan => _fusable;

    public StepOutcome Prepare(EventWork work, ReadOnlySpan<byte> stream, int slotBase)
    {
        var fields = work.Fields(stream);
        var value = fields.Get(_field);
        if (value.Kind != FieldKind.String) return StepOutcome.Unchanged;
        var w = work.StartValue(out int start);
        if (_parser.TryParse(value.Bytes, w, out string error))
        {
            work.Assignments.SetValue(slotBase, start, work.EndValue(start));
            return StepOutcome.Applied;
        }
        // What the parser wrote before failing stays behind the error, unused.
        work.EndValue(start);
        w = work.StartValue(out start);
        w.WriteStringValue($"{_parser.Format}: {error}");
        work.Assignments.SetValue(slotBase + 1, start, work.EndValue(start));
        return StepOutcome.ParseError;
    }

    public override string Type => "parse";

    public override void CollectPaths(List<FieldPath> into)
    {
        base.CollectPaths(into);
        into.Add(_field);
    }

    protected override StepOutcome Apply(EventWork work, ReadOnlySpan<byte> stream)
    {
        var fields = work.Fields(stream);
        var value = fields.Get(_field);
        if (value.Kind != FieldKind.String) return StepOutcome.Unchanged;
        work.ClearValues();
        work.Assignments.Reset(1);
        var w = work.StartValue(out int start);
        if (_parser.TryParse(value.Bytes, w, out string error))
        {
            work.Assignments.SetValue(0, start, work.EndValue(start));
            JsonRewriter.Rewrite(work, _success);
            return StepOutcome.Applied;
        }
        work.EndValue(start);
        work.ClearValues();
        w = work.StartValue(out start);
        w.WriteStringValue($"{_parser.Format}: {error}");
        work.Assignments.SetValue(0, start, work.EndValue(start));
        JsonRewriter.Rewrite(work, _failure);
        return StepOutcome.ParseError;
    }
}
