using System.Buffers;
using System.Text.Json;
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

    private readonly FieldPath _target;

    /// <param name="readsInPass">Off only to compare against locating the field first (<see cref="Locating"/>).</param>
    public ParseStep(FieldPath field, FieldPath target, LineParser parser, bool readsInPass = true)
    {
        _target = target;
        _field = field;
        _parser = parser;
        _success = new RewritePlan { Assignments = [new Assignment(target, Overwrite: true)] };
        _failure = new RewritePlan { Assignments = [new Assignment(ErrorPath, Overwrite: true)] };
        _fusable = new RewritePlan { Assignments = [_success.Assignments[0], _failure.Assignments[0]] };
        // A top-level field parsed while a shared pass reads it needs its target written after it: a top-level target
        // met before the field is found per event (then the steps run one by one).
        ReadsInPass = readsInPass && !field.IsHeader && !field.HasWildcard && field.Segments.Length == 1 && target.Segments.Length == 1;
    }

    /// <summary>
    /// Whether a shared pass may parse the field when it reads it (<see cref="PrepareInPass"/>) instead of
    /// <see cref="Prepare"/> locating it first: the field and the target are top-level members.
    /// </summary>
    public bool ReadsInPass { get; }

    /// <summary>This step locating its field before any pass (as every parse step did before <see cref="ReadsInPass"/>), to compare.</summary>
    public ParseStep Locating() => new(_field, _target, _parser, readsInPass: false) { Name = Name, If = If };

    /// <summary>Whether the top-level member the names are at is the field (see <see cref="ReadsInPass"/>).</summary>
    public bool IsField(PathStack names) => IsField(names[0]);

    /// <summary>Whether the top-level member of this name is the field.</summary>
    public bool IsField(ReadOnlySpan<byte> topLevelName) => _field.Segments.Length == 1 && _field.SegmentMatches(0, topLevelName);

    /// <summary>Whether the top-level member is one this step may set (its target or <c>_parse_error</c>).</summary>
    public bool MaySet(PathStack names) => names.Matches(_success.Assignments[0].Path, 1) || names.Matches(ErrorPath, 1);

    /// <summary>
    /// <see cref="Prepare"/> for the field's value as a pass reads it (the first top-level member of that name, the
    /// reader on its value): the same values and outcome as locating it would give. <paramref name="unescapedInText"/>:
    /// the reader already unescaped the string into the work's <see cref="EventWork.Text"/>
    /// (<see cref="TrustedJsonReader.ReadUnescaping"/>).
    /// </summary>
    public StepOutcome PrepareInPass(ref TrustedJsonReader reader, EventWork work, int slotBase, bool unescapedInText = false)
    {
        if (reader.TokenType != JsonTokenType.String) return StepOutcome.Unchanged;
        ReadOnlySpan<byte> text = reader.ValueSpan;
        if (unescapedInText) text = work.Text.WrittenSpan;
        else if (reader.ValueIsEscaped)
        {
            var buffer = work.Text;
            buffer.ResetWrittenCount();
            int n = reader.CopyString(buffer.GetSpan(text.Length));
            buffer.Advance(n);
            text = buffer.WrittenSpan;
        }
        return Parse(text, work, slotBase);
    }

    /// <summary>Whether a parsed value is the field's text as it stands (less the whitespace around it): the <c>json</c> format.</summary>
    public bool ValueIsTextAsItStands => _parser is JsonLineParser;

    /// <summary>The parsed value (slot 0) or the error (slot 1): one of them has a value per event.</summary>
    public RewritePlan FusablePlan => _fusable;

    public StepOutcome Prepare(EventWork work, ReadOnlySpan<byte> stream, int slotBase)
    {
        var fields = work.Fields(stream);
        var value = fields.Get(_field);
        if (value.Kind != FieldKind.String) return StepOutcome.Unchanged;
        return Parse(value.Bytes, work, slotBase);
    }

    private StepOutcome Parse(ReadOnlySpan<byte> text, EventWork work, int slotBase)
    {
        string error;
        if (_parser is JsonLineParser)
        {
            // The value is the text as it stands: copied without a writer (whose Reset, raw write and Flush give the same bytes).
            if (JsonLineParser.TryLocate(text, out int from, out int to, out bool simple, out error))
            {
                work.ParsedValueIsSimple = simple;
                work.Assignments.SetValue(slotBase, work.Values.WrittenCount, to - from);
                work.Values.Write(text[from..to]);
                return StepOutcome.Applied;
            }
            return Failed(work, slotBase, error);
        }
        var w = work.StartValue(out int start);
        if (_parser.TryParse(text, w, out error))
        {
            work.Assignments.SetValue(slotBase, start, work.EndValue(start));
            return StepOutcome.Applied;
        }
        // What the parser wrote before failing stays behind the error, unused.
        work.EndValue(start);
        return Failed(work, slotBase, error);
    }

    private StepOutcome Failed(EventWork work, int slotBase, string error)
    {
        var w = work.StartValue(out int start);
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
        // The pass reads the field anyway: parse it there rather than locate it first (text that is not an object gets no pass).
        if (ReadsInPass && work.Json is [(byte)'{', ..])
        {
            work.ClearValues();
            work.Assignments.Reset(2);
            // Spliced where it can be; else written (which also says when the field must be located instead).
            if (work.Splices && _fusable.AsSpliceable is { } single && JsonSplicer.TrySplice(work, single, 1, this, 0, out _, out _, out var spliced))
                return spliced ?? StepOutcome.Unchanged;
            JsonRewriter.RewriteParsing(work, _fusable, this, out var outcome, out bool redo);
            if (!redo) return outcome ?? StepOutcome.Unchanged;
        }
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
