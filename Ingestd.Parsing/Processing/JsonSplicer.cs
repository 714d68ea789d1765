using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// A fused pass (<see cref="RewriteRun"/>) built by splicing instead of re-serialising: the new event is the old one's
/// byte ranges copied as they stand, with the edits put between them — a masked value, a skipped (removed) member, the
/// appended members. Untouched stretches, across members and whole objects, are one copy each, where
/// <see cref="JsonRewriter"/> makes a writer call per member or run of members.
/// <para>
/// It gives exactly the bytes <see cref="JsonRewriter.RewriteFused"/> gives, and only where that is easy to prove: the
/// plan's assignments and removals are top-level (<see cref="Fits"/>), and per event every object and array the pass
/// walks is compact (no whitespace between tokens) with plain names, so the writer would write its structure as it
/// stands. Anything else — whitespace, an escaped name, a mask whose text the writer would escape, a case the writer
/// pass would hand to the steps one by one — makes it give up (<see cref="TrySplice"/> false, nothing changed), and
/// the caller runs the writer pass.
/// </para>
/// </summary>
internal static class JsonSplicer
{
    private const int MaxDepth = 256;

    // The longest parse field unescaped as it is read; a longer one is read, then unescaped (the work's text buffer
    // grows to what it holds and stays so).
    private const int UnescapeLimit = 64 * 1024;

    // The names the writer writes as they stand.
    private static readonly SearchValues<byte> PlainNameBytes = JsonRewriter.PlainNameBytes;

    private static readonly SearchValues<byte> JsonWhitespace = SearchValues.Create(" \t\r\n"u8);

    // The event writer's encoder: a string it finds nothing to encode in is written as it stands.
    private static readonly JavaScriptEncoder Encoder = EventWork.Encoder;

    /// <summary>
    /// Whether a fused plan has the shape the splice handles: assignments and removals of top-level members only (names
    /// the writer writes as they stand), and no more than one mask pattern, one that finds its matches in bytes and has a
    /// needle.
    /// </summary>
    public static bool Fits(RewritePlan plan)
    {
        if (plan.Fused is null) return false;
        foreach (var a in plan.Assignments)
            if (!TopLevel(a.Path) || a.Path.Segments[0].AsSpan().IndexOfAnyExcept(PlainNameBytes) >= 0) return false;
        foreach (var r in plan.Removes)
            if (!TopLevel(r)) return false;
        if (plan.Patterns.Length > 1) return false;
        if (plan.Patterns is [var p] && (!p.FindsInBytes || p.Needle is not { Length: > 0 })) return false;
        return true;
    }

    private static bool TopLevel(FieldPath p) => !p.IsHeader && !p.HasWildcard && p.Segments.Length == 1;

    /// <summary>
    /// <see cref="JsonRewriter.RewriteFused"/> by splicing, for a plan that <see cref="Fits"/>. False when it gave up:
    /// the event, the assignments' progress and the outputs are then as they were, and the caller runs the writer pass
    /// (the parse step's value may have been computed into the work's values already; computing it again sets the same).
    /// </summary>
    public static bool TrySplice(EventWork work, RewritePlan plan, ulong active, ParseStep? inPass, int inPassSlots,
        out bool changed, out ulong changedSteps, out StepOutcome? inPassOutcome)
    {
        changed = false;
        changedSteps = 0;
        inPassOutcome = null;
        var parts = plan.Fused!;
        bool maskActive = parts.MaskOwner >= 0 && (active & (1UL << parts.MaskOwner)) != 0;
        if (!maskActive) plan = plan.WithoutMask;
        var json = work.Json;
        if (json.IsEmpty || json[0] != (byte)'{') return false;
        // As the writer pass decides: patterns that cannot match anywhere are dropped; nothing left to do, no pass.
        bool unicodeEscape = (plan.Patterns.Length > 0 || plan.Assignments.Length == 0) && RewritePlan.HasUnicodeEscape(json);
        if (plan.Patterns.Length > 0 && plan.PatternsCannotMatch(json, unicodeEscape)) plan = plan.WithoutPatterns;
        if (plan.Patterns.Length == 0 && plan.Assignments.Length == 0 && plan.PathsCannotOccur(json, unicodeEscape)) return true;

        var s = new Splice(work, plan, parts, active, maskActive, json, work.BeginSplice())
        {
            UnicodeEscape = unicodeEscape,
            InPass = inPass,
            InPassSlots = inPassSlots,
        };
        bool done;
        try
        {
            var reader = new TrustedJsonReader(json, MaxDepth);
            reader.Read();
            done = s.Object(ref reader, 0);
        }
        catch (JsonException)
        {
            done = false;
        }
        if (!done)
        {
            work.EndSplice(keep: false);
            work.Assignments.ClearDone(plan.Assignments.Length);
            return false;
        }
        s.Flush();
        work.Spliced++;
        work.EndSplice(s.Changed);
        changed = s.Changed;
        changedSteps = s.Changed ? s.ChangedSteps : 0;
        inPassOutcome = s.InPassOutcome;
        return true;
    }

    private ref struct Splice
    {
        private readonly EventWork _work;
        private readonly FusedParts _parts;
        private readonly ulong _active;
        private readonly bool _maskActive;
        private readonly ArrayBufferWriter<byte> _out;

        public Splice(EventWork work, RewritePlan plan, FusedParts parts, ulong active, bool maskActive, ReadOnlySpan<byte> json, ArrayBufferWriter<byte> output)
        {
            _work = work;
            Plan = plan;
            _parts = parts;
            _active = active;
            _maskActive = maskActive;
            Source = json;
            _out = output;
            _needleAt = -1;
            _parsedFieldAt = -1;
            _maskedFieldStart = -1;
        }

        /// <summary>
        /// Whether the patterns may match in the source text [start, end) — the writer pass's
        /// <see cref="RewritePlan.PatternsCannotMatch(ReadOnlySpan{byte}, bool)"/>, negated, for the one pattern a spliced
        /// plan has, answered from one search ahead instead of one search per string.
        /// </summary>
        private bool MayMatch(int start, int end)
        {
            var raw = Source[start..end];
            if (UnicodeEscape && RewritePlan.HasUnicodeEscape(raw)) return true;
            var needle = Plan.Patterns[0].Needle!;
            if (_needleAt < start)
            {
                int i = Source[start..].IndexOf(needle);
                _needleAt = i < 0 ? int.MaxValue : start + i;
            }
            return _needleAt <= end - needle.Length;
        }

        // The text the pending copy and the readers' positions refer to: the event, or a value written through the mask.
        private ReadOnlySpan<byte> Source;
        private RewritePlan Plan;
        private int _copyFrom;
        private int _copyTo;

        public bool UnicodeEscape;
        public bool Changed;
        public ulong ChangedSteps;

        // Inside a value or subtree walked whole for the patterns (as the writer pass's re-read).
        private bool _rechecked;

        public ParseStep? InPass;
        public int InPassSlots;
        public StepOutcome? InPassOutcome;

        // Where the string the parse step just unescaped into the work's Text starts, plus 1 (0: none).
        private int _unescapedAt;

        // Where the parse step's field (a string) starts in the event when its parsed value is the field's text as it
        // stands (-1: none); and, once the mask went through that text whole, the masked text (appended to the work's
        // values: start, length), the text's length, where the value starts in it and whether anything matched. The
        // parsed value's mask is then taken from it (see TryMaskedParsedValue) instead of walking the value again.
        private int _parsedFieldAt;
        private int _maskedFieldStart, _maskedFieldLength, _fieldTextLength, _valueFrom;
        private bool _maskedFieldAny;

        // The first place of the (one) pattern's needle at or after the last place searched from (int.MaxValue: none;
        // -1: not searched yet). The pass moves forward, so one search serves every string up to the needle.
        private int _needleAt;

        private void Mark(int owner)
        {
            Changed = true;
            ChangedSteps |= 1UL << owner;
        }

        /// <summary>Source bytes [from, to) go next: joined to the pending copy when they follow it.</summary>
        private void Copy(int from, int to)
        {
            if (from == _copyTo && _copyTo > _copyFrom)
            {
                _copyTo = to;
                return;
            }
            Flush();
            _copyFrom = from;
            _copyTo = to;
        }

        public void Flush()
        {
            if (_copyTo > _copyFrom) _out.Write(Source[_copyFrom.._copyTo]);
            _copyFrom = _copyTo = 0;
        }

        private void Emit(ReadOnlySpan<byte> bytes)
        {
            Flush();
            _out.Write(bytes);
        }

        /// <summary>Text as a JSON string the writer would write; false when the writer would escape some of it.</summary>
        private bool EmitString(ReadOnlySpan<byte> text)
        {
            if (Encoder.FindFirstCharacterToEncodeUtf8(text) >= 0) return false;
            Flush();
            var span = _out.GetSpan(text.Length + 2);
            span[0] = (byte)'"';
            text.CopyTo(span[1..]);
            span[text.Length + 1] = (byte)'"';
            _out.Advance(text.Length + 2);
            return true;
        }

        // The reader is on the StartObject of an object whose members' paths have depth+1 segments.
        public bool Object(ref TrustedJsonReader reader, int depth)
        {
            var plan = Plan;
            var names = _work.Names;
            int open = reader.TokenStartIndex;
            Copy(open, open + 1);
            int next = open + 1; // where the next name (or the closing brace) must start in compact text
            bool sourceFirst = true, outFirst = true;
            int count = depth + 1;
            while (true)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    if (reader.TokenStartIndex != next) return false;
                    break;
                }
                int nameStart = reader.TokenStartIndex;
                if (nameStart != (sourceFirst ? next : next + 1) || reader.ValueIsEscaped) return false;
                sourceFirst = false;
                var name = reader.ValueSpan;
                if (name.IndexOfAnyExcept(PlainNameBytes) >= 0) return false;
                // The parse step's field: a string value is unescaped as it is read (one pass, not two).
                bool parseField = depth == 0 && InPass is { } fieldParse && fieldParse.IsField(name);
                bool unescaped = false;
                if (parseField) unescaped = reader.ReadUnescaping(_work.Text, UnescapeLimit);
                else reader.Read();
                int valueStart = reader.TokenStartIndex;
                if (valueStart != nameStart + name.Length + 3) return false;
                // A top-level name no path of the plan starts with (nor, then, one the parse step sets): with a scalar
                // value nothing below asks for the names, so they are not copied onto the stack.
                bool pathless = depth == 0 && !plan.MayStartPath(name);
                if (!pathless || reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) names.Set(depth, name);
                if (depth == 0 && InPass is { } parse)
                {
                    if (parseField)
                    {
                        InPassOutcome = parse.PrepareInPass(ref reader, _work, InPassSlots, unescaped);
                        InPass = null;
                        if (reader.TokenType == JsonTokenType.String && (unescaped || reader.ValueIsEscaped)) _unescapedAt = valueStart + 1;
                        if (InPassOutcome == StepOutcome.Applied && parse.ValueIsTextAsItStands) _parsedFieldAt = valueStart;
                    }
                    else if (!pathless && parse.MaySet(names)) return false;
                }
                else _unescapedAt = 0;
                // The member's text with the comma before it, when one is due in the output.
                int from = outFirst ? nameStart : nameStart - 1;

                if (!pathless && depth == 0)
                {
                    int remover = MatchingRemove(names);
                    if (remover >= 0)
                    {
                        // A removal after the mask of what the mask would change: the writer pass gives it to the steps one by one.
                        if (IsAfterMask(remover) && MaskCouldChange(reader, names, count)) return false;
                        reader.Skip();
                        next = reader.BytesConsumed;
                        Mark(remover);
                        continue;
                    }
                    int assigned = plan.MayAssignName(0, name) ? ExactAssignment(names) : -1;
                    if (assigned >= 0)
                    {
                        _work.Assignments.MarkDone(assigned);
                        if (plan.Assignments[assigned].Overwrite)
                        {
                            int owner = _parts.AssignmentOwners[assigned];
                            if (IsAfterMask(owner) && MaskCouldChange(reader, names, count)) return false;
                            reader.Skip();
                            next = reader.BytesConsumed;
                            Copy(from, valueStart);
                            outFirst = false;
                            if (!AssignedValue(assigned, names, count)) return false;
                            Mark(owner);
                            continue;
                        }
                    }
                }
                outFirst = false;
                bool masked = !pathless && plan.Action is not null && plan.MaskDepths.Has(count) && plan.MayMaskName(depth, name)
                    && AnyMatches(plan.MaskPaths, names, count);
                if (masked)
                {
                    Copy(from, valueStart);
                    if (!MaskedValue(ref reader)) return false;
                    Mark(_parts.MaskOwner);
                }
                else if (!Value(ref reader, from, valueStart, names, count)) return false;
                next = reader.BytesConsumed;
            }
            if (depth == 0 && !Pending(names, outFirst)) return false;
            Copy(reader.TokenStartIndex, reader.TokenStartIndex + 1);
            return true;
        }

        /// <summary>A value kept in place (its member's text from <paramref name="from"/>): copied, or walked for what applies inside.</summary>
        private bool Value(ref TrustedJsonReader reader, int from, int valueStart, PathStack names, int count)
        {
            var plan = Plan;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    if (MaskGoesBelow(names, count))
                    {
                        Copy(from, valueStart);
                        return Container(ref reader, count);
                    }
                    if (plan.Patterns.Length > 0)
                    {
                        if (_rechecked)
                        {
                            Copy(from, valueStart);
                            return Container(ref reader, count);
                        }
                        var probe = reader;
                        probe.Skip();
                        if (MayMatch(valueStart, probe.BytesConsumed))
                        {
                            // The writer pass reads it again and rewrites all of it.
                            Copy(from, valueStart);
                            _rechecked = true;
                            bool ok = Container(ref reader, count);
                            _rechecked = false;
                            return ok;
                        }
                    }
                    reader.Skip();
                    Copy(from, reader.BytesConsumed);
                    return true;
                default:
                    return Scalar(ref reader, from, valueStart);
            }
        }

        private bool Container(ref TrustedJsonReader reader, int count) =>
            reader.TokenType == JsonTokenType.StartObject ? Object(ref reader, count) : Array(ref reader, count);

        // Arrays are transparent to paths: their elements' members continue the array's path.
        private bool Array(ref TrustedJsonReader reader, int depth)
        {
            int open = reader.TokenStartIndex;
            int next = open + 1;
            Copy(open, next);
            bool first = true;
            while (true)
            {
                reader.Read();
                int start = reader.TokenStartIndex;
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    if (start != next) return false;
                    break;
                }
                if (start != (first ? next : next + 1)) return false;
                int from = first ? start : start - 1;
                first = false;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        Copy(from, start);
                        if (!Object(ref reader, depth)) return false;
                        break;
                    case JsonTokenType.StartArray:
                        Copy(from, start);
                        if (!Array(ref reader, depth)) return false;
                        break;
                    default:
                        if (!Scalar(ref reader, from, start)) return false;
                        break;
                }
                next = reader.BytesConsumed;
            }
            Copy(reader.TokenStartIndex, reader.TokenStartIndex + 1);
            return true;
        }

        /// <summary>A scalar (its text, with what comes before it in the output, from <paramref name="from"/>): a string the patterns may match is masked, anything else copied.</summary>
        private bool Scalar(ref TrustedJsonReader reader, int from, int start)
        {
            if (reader.TokenType != JsonTokenType.String || Plan.Patterns.Length == 0 || Plan.Action is not { } action)
            {
                Copy(from, reader.BytesConsumed);
                return true;
            }
            var raw = Source.Slice(start, reader.ValueSpan.Length + 2);
            if (!MayMatch(start, start + raw.Length))
            {
                Copy(from, reader.BytesConsumed);
                return true;
            }
            var text = _unescapedAt == start + 1 ? _work.Text.WrittenSpan : UnescapedString(ref reader);
            var pattern = Plan.Patterns[0];
            var output = _work.Text2;
            // The parse step's text, masked whole here, gives its parsed value's mask too (kept in the work's values).
            bool keepText = start == _parsedFieldAt && pattern.MatchesStayInStrings && ParsedValueGoesThroughMask;
            int keptAt = _work.Values.WrittenCount;
            if (JsonRewriter.WrittenAsItStands(raw[1..^1], reader.ValueHasRareEscape) && pattern.TryApplyToJsonString(text, raw[1..^1], output, action, out bool any, keepText ? _work.Values : null))
            {
                if (keepText)
                {
                    _maskedFieldStart = keptAt;
                    _maskedFieldLength = _work.Values.WrittenCount - keptAt;
                    _fieldTextLength = text.Length;
                    _valueFrom = text.IndexOfAnyExcept(JsonWhitespace);
                    _maskedFieldAny = any;
                }
                if (!any)
                {
                    Copy(from, reader.BytesConsumed);
                    return true;
                }
                Copy(from, start);
                Emit(output.WrittenSpan);
                Mark(_parts.MaskOwner);
                return true;
            }
            output.ResetWrittenCount();
            if (!pattern.Apply(text, output, action))
            {
                Copy(from, reader.BytesConsumed);
                return true;
            }
            Copy(from, start);
            if (!EmitString(output.WrittenSpan)) return false;
            Mark(_parts.MaskOwner);
            return true;
        }

        // The parse step's value is written after the mask's own step would have run: through the mask.
        private readonly bool ParsedValueGoesThroughMask => _maskActive && _parts.AssignmentOwners[InPassSlots] < _parts.MaskOwner;

        /// <summary>
        /// The parse step's value through the mask, taken from its field's text masked whole (when that was done): the
        /// bytes walking the value would give, where that is sure — the parse's scan found the value simple (compact
        /// printable ASCII without escapes, names of word characters) and the needle has a byte no such name has (so
        /// each of its strings is written as it stands, and masking the text whole finds in its strings what masking
        /// them one by one finds; see <see cref="MaskPattern.MatchesStayInStrings"/>). Otherwise the value is walked.
        /// </summary>
        private bool TryMaskedParsedValue(int i, ReadOnlySpan<byte> value)
        {
            if (_maskedFieldStart < 0 || i != InPassSlots || !_work.ParsedValueIsSimple) return false;
            if (_parts.MaskOnly.Patterns[0].Needle.AsSpan().IndexOfAnyExcept(JsonValueScan.SimpleNameBytes) < 0) return false;
            if (!_maskedFieldAny)
            {
                Emit(value);
                return true;
            }
            var masked = _work.Values.WrittenSpan.Slice(_maskedFieldStart, _maskedFieldLength);
            Emit(masked.Slice(_valueFrom, value.Length + _maskedFieldLength - _fieldTextLength));
            Mark(_parts.MaskOwner);
            return true;
        }

        private readonly ReadOnlySpan<byte> UnescapedString(ref TrustedJsonReader reader)
        {
            if (!reader.ValueIsEscaped) return reader.ValueSpan;
            var text = _work.Text;
            text.ResetWrittenCount();
            int n = reader.CopyString(text.GetSpan(reader.ValueSpan.Length));
            text.Advance(n);
            return text.WrittenSpan;
        }

        /// <summary>A masked member's value (its name already out): the mask of its text as a string.</summary>
        private bool MaskedValue(ref TrustedJsonReader reader)
        {
            if (Plan.Action!.ReplacementString is { } fixedString)
            {
                // The same text whatever the value: nothing of it needs reading.
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();
                Emit(fixedString);
                return true;
            }
            scoped ReadOnlySpan<byte> secret;
            if (reader.TokenType == JsonTokenType.String) secret = UnescapedString(ref reader);
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                int start = reader.TokenStartIndex;
                reader.Skip();
                secret = Source[start..reader.BytesConsumed];
            }
            else secret = reader.ValueSpan;
            var output = _work.Text2;
            output.ResetWrittenCount();
            Plan.Action!.Write(secret, output);
            return EmitString(output.WrittenSpan);
        }

        /// <summary>Before the top-level object closes: the assignments not met, in order, as new members.</summary>
        private bool Pending(PathStack names, bool outFirst)
        {
            var assignments = Plan.Assignments;
            var slots = _work.Assignments;
            for (int i = 0; i < assignments.Length; i++)
            {
                if (!slots.HasValue(i) || slots.IsDone(i)) continue;
                var name = assignments[i].Path.Segments[0];
                Flush();
                if (!_maskActive || _parts.AssignmentOwners[i] > _parts.MaskOwner)
                {
                    // A value as it stands (no mask after it): the member in one write.
                    var value = _work.Values.WrittenSpan.Slice(slots.Start(i), slots.Length(i));
                    var member = _out.GetSpan(name.Length + value.Length + 4);
                    int k = MemberName(member, name, comma: !outFirst);
                    value.CopyTo(member[k..]);
                    _out.Advance(k + value.Length);
                    outFirst = false;
                    slots.MarkDone(i);
                    Mark(_parts.AssignmentOwners[i]);
                    continue;
                }
                _out.Advance(MemberName(_out.GetSpan(name.Length + 4), name, comma: !outFirst));
                outFirst = false;
                names.Set(0, name);
                slots.MarkDone(i);
                if (!AssignedValue(i, names, 1)) return false;
                Mark(_parts.AssignmentOwners[i]);
            }
            return true;
        }

        // `,"name":` (the comma when one is due) into span; its length.
        private static int MemberName(Span<byte> span, ReadOnlySpan<byte> name, bool comma)
        {
            int n = 0;
            if (comma) span[n++] = (byte)',';
            span[n++] = (byte)'"';
            name.CopyTo(span[n..]);
            n += name.Length;
            span[n++] = (byte)'"';
            span[n++] = (byte)':';
            return n;
        }

        /// <summary>
        /// Assignment <paramref name="i"/>'s value (its name out): as it stands, or — a step's before the mask — through the
        /// mask (patterns; a mask path naming the member itself), as the mask step would have rewritten it.
        /// </summary>
        private bool AssignedValue(int i, PathStack names, int count)
        {
            var slots = _work.Assignments;
            var value = _work.Values.WrittenSpan.Slice(slots.Start(i), slots.Length(i));
            if (!_maskActive || _parts.AssignmentOwners[i] > _parts.MaskOwner)
            {
                Emit(value);
                return true;
            }
            var mask = _parts.MaskOnly;
            // A mask path inside the value: left to the writer pass.
            if (MaskGoesBelow(mask, names, count)) return false;
            bool masked = AnyMatches(mask.MaskPaths, names, count);
            if (!masked && TryMaskedParsedValue(i, value)) return true;
            Flush();
            var outer = Source;
            var outerPlan = Plan;
            bool outerEscape = UnicodeEscape, outerRechecked = _rechecked;
            int outerUnescaped = _unescapedAt, outerNeedle = _needleAt, outerParsedField = _parsedFieldAt;
            _needleAt = -1;
            _parsedFieldAt = -1;
            Source = value;
            Plan = mask;
            UnicodeEscape = RewritePlan.HasUnicodeEscape(value);
            _unescapedAt = 0;
            var reader = new TrustedJsonReader(value, MaxDepth);
            reader.Read();
            bool ok;
            if (masked) ok = MaskedValue(ref reader);
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (mask.PatternsCannotMatch(value, UnicodeEscape))
                {
                    Copy(0, value.Length);
                    ok = true;
                }
                else
                {
                    _rechecked = true;
                    ok = Container(ref reader, count);
                }
            }
            else ok = Scalar(ref reader, 0, 0);
            if (masked && ok) Mark(_parts.MaskOwner);
            Flush();
            Source = outer;
            Plan = outerPlan;
            UnicodeEscape = outerEscape;
            _rechecked = outerRechecked;
            _unescapedAt = outerUnescaped;
            _needleAt = outerNeedle;
            _parsedFieldAt = outerParsedField;
            return ok;
        }

        private readonly bool IsAfterMask(int owner) => _maskActive && owner > _parts.MaskOwner;

        /// <summary>Whether the mask would change the member the reader is on (as the writer pass decides it; a copy of the reader).</summary>
        private readonly bool MaskCouldChange(TrustedJsonReader probe, PathStack names, int count)
        {
            var mask = _parts.MaskOnly;
            if (AnyMatches(mask.MaskPaths, names, count)) return true;
            bool container = probe.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
            if (container && MaskGoesBelow(mask, names, count)) return true;
            if (Plan.Patterns.Length == 0) return false;
            int start = probe.TokenStartIndex;
            ReadOnlySpan<byte> raw;
            if (container)
            {
                probe.Skip();
                raw = Source[start..probe.BytesConsumed];
            }
            else if (probe.TokenType == JsonTokenType.String) raw = Source.Slice(start, probe.ValueSpan.Length + 2);
            else return false;
            return !Plan.PatternsCannotMatch(raw, UnicodeEscape && RewritePlan.HasUnicodeEscape(raw));
        }

        private readonly bool MaskGoesBelow(PathStack names, int count) => Plan.Action is not null && MaskGoesBelow(Plan, names, count);

        private static bool MaskGoesBelow(RewritePlan plan, PathStack names, int count)
        {
            if (plan.MaskDepths.Max <= count) return false;
            foreach (var p in plan.MaskPaths)
                if (p.Segments.Length > count && names.PrefixMatches(p, count)) return true;
            return false;
        }

        private static bool AnyMatches(FieldPath[] paths, PathStack names, int count)
        {
            foreach (var p in paths)
                if (names.Matches(p, count)) return true;
            return false;
        }

        private readonly int MatchingRemove(PathStack names)
        {
            if (!Plan.RemoveDepths.Has(1)) return -1;
            var removes = Plan.Removes;
            for (int i = 0; i < removes.Length; i++)
            {
                if (!names.Matches(removes[i], 1)) continue;
                int owner = _parts.RemoveOwners[i];
                if ((_active & (1UL << owner)) != 0) return owner;
            }
            return -1;
        }

        private readonly int ExactAssignment(PathStack names)
        {
            if (!Plan.AssignmentDepths.Has(1)) return -1;
            var assignments = Plan.Assignments;
            var slots = _work.Assignments;
            for (int i = 0; i < assignments.Length; i++)
                if (slots.HasValue(i) && !slots.IsDone(i) && names.Matches(assignments[i].Path, 1)) return i;
            return -1;
        }
    }
}
