using System.Text.Json;
using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Rewrites an event's JSON by a <see cref="RewritePlan"/>: reads it once with <see cref="TrustedJsonReader"/> and writes
/// the new event with <see cref="Utf8JsonWriter"/> into the work's other buffer. Members no path reaches are copied as
/// their raw text (whole subtrees at once); only masked, removed and set members are re-encoded. Events whose top level
/// is not an object, or whose JSON does not read, are left as they are.
/// </summary>
internal static class JsonRewriter
{
    private const int MaxDepth = 256;

    // Printable ASCII but the characters an encoder might escape (quote, backslash, <>&'+`): a name made only of these
    // is written by the writer as it stands. One search per name instead of a range search and a set search. (The
    // splice uses the same set.)
    internal static readonly System.Buffers.SearchValues<byte> PlainNameBytes = System.Buffers.SearchValues.Create(
        " !#$%()*,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~"u8);


    /// <summary>Applies the plan; true when the event changed (and <see cref="EventWork.Json"/> is the new one).</summary>
    /// <param name="slotBase">Where the plan's assignments start among <see cref="EventWork.Assignments"/>.</param>
    public static bool Rewrite(EventWork work, RewritePlan plan, int slotBase = 0)
    {
        // A step's own pass spliced where it can be (as a run of one step: the same bytes); else written.
        if (slotBase == 0 && work.Splices && plan.AsSpliceable is { } single && JsonSplicer.TrySplice(work, single, 1, null, 0, out bool changed, out _, out _))
            return changed;
        var ctx = new Context(work, plan) { SlotBase = slotBase };
        return Run(ref ctx);
    }

    /// <summary>
    /// Applies a fused plan (<see cref="RewritePlan.Fused"/>) for the steps in <paramref name="active"/> (bit per step of
    /// the run); <paramref name="changedSteps"/> says which of them changed the event. <paramref name="sequential"/> is
    /// true (and the event left as it was) when one pass could not prove it gives the bytes the steps would give one
    /// after another: the caller then applies them so.
    /// </summary>
    /// <summary>
    /// Applies a lone parse step's plan (<see cref="ParseStep.FusablePlan"/>, slots from 0) parsing its field as the pass
    /// reads it; <paramref name="outcome"/> is the step's, null when the field was not reached. <paramref name="redo"/> is
    /// true (and the event left as it was) when its target or error member came first: the caller locates the field instead.
    /// </summary>
    public static bool RewriteParsing(EventWork work, RewritePlan plan, ParseStep parse, out StepOutcome? outcome, out bool redo)
    {
        var ctx = new Context(work, plan) { InPass = parse };
        bool changed = Run(ref ctx);
        outcome = ctx.InPassOutcome;
        redo = ctx.Sequential;
        return changed;
    }

    /// <param name="inPass">
    /// A parse step of the run (its slots from <paramref name="inPassSlots"/>) whose field is parsed when the pass reads
    /// it (<see cref="ParseStep.ReadsInPass"/>); <paramref name="inPassOutcome"/> is its outcome then, null when the pass
    /// never reached the field (absent, or no pass made).
    /// </param>
    public static bool RewriteFused(EventWork work, RewritePlan plan, ulong active, out ulong changedSteps, out bool sequential,
        ParseStep? inPass, int inPassSlots, out StepOutcome? inPassOutcome)
    {
        var parts = plan.Fused!;
        bool maskActive = parts.MaskOwner >= 0 && (active & (1UL << parts.MaskOwner)) != 0;
        if (!maskActive) plan = plan.WithoutMask;
        var ctx = new Context(work, plan) { Parts = parts, Active = active, MaskActive = maskActive, InPass = inPass, InPassSlots = inPassSlots };
        work.DescentCauses.Clear();
        bool changed = Run(ref ctx);
        changedSteps = changed ? ctx.ChangedSteps : 0;
        sequential = ctx.Sequential;
        inPassOutcome = ctx.InPassOutcome;
        return changed;
    }

    private static bool Run(ref Context ctx)
    {
        var work = ctx.Work;
        var plan = ctx.Plan;
        var json = work.Json;
        if (json.IsEmpty || json[0] != (byte)'{') return false;
        // Patterns that cannot match anywhere in the event need no look at its strings; with nothing else to do, no pass.
        // (The \u search is made once per event: no part of an event without one needs it again.)
        bool unicodeEscape = (plan.Patterns.Length > 0 || plan.Assignments.Length == 0) && RewritePlan.HasUnicodeEscape(json);
        if (plan.Patterns.Length > 0 && plan.PatternsCannotMatch(json, unicodeEscape)) plan = plan.WithoutPatterns;
        // Likewise a mask or removal whose members are provably absent (not looked for when a pattern must be searched anyway).
        if (plan.Patterns.Length == 0 && plan.Assignments.Length == 0 && plan.PathsCannotOccur(json, unicodeEscape)) return false;
        ctx.Plan = plan;
        ctx.UnicodeEscape = unicodeEscape;
        var writer = work.BeginRewrite();
        var reader = new TrustedJsonReader(json, MaxDepth);
        try
        {
            reader.Read();
            RewriteObject(ref reader, json, writer, ref ctx, 0);
        }
        catch (JsonException)
        {
            work.EndRewrite(keep: false);
            return false;
        }
        // A subtree one pass re-wrote without changing it (dropping its whitespace) is kept so only when one of the steps
        // that went into it changed the event somewhere (else their own passes would have been discarded).
        if (ctx.Parts is not null && !ctx.Sequential && ctx.Changed && !work.DescentCauses.AllMet(ctx.ChangedSteps)) ctx.Sequential = true;
        bool keep = ctx.Changed && !ctx.Sequential;
        work.EndRewrite(keep);
        return keep;
    }

    private struct Context(EventWork work, RewritePlan plan)
    {
        public readonly EventWork Work = work;
        public RewritePlan Plan = plan;
        public bool Changed;

        // Inside a subtree read a second time because its text may hold a pattern's match: its own subtrees are not
        // checked again (so no part of an event is read more than twice).
        public bool Rechecked;

        // Whether the event has a \u escape anywhere (when false, none of its parts needs the search).
        public bool UnicodeEscape;

        // Where this plan's assignments start in the work's slots.
        public int SlotBase;

        // A fused plan: its owners, the steps whose `if` held, whether the mask is among them, which steps changed
        // something, how many changes were made, and whether the pass must be given up for the steps one by one.
        public FusedParts? Parts;
        public ulong Active;
        public bool MaskActive;
        public ulong ChangedSteps;
        public int Changes;
        public bool Sequential;

        // Set by TryCopyMember for the string it leaves to WriteScalar: a needle is in it (searched once).
        public bool NeedleFound;

        // A parse step whose top-level field is parsed when this pass reaches it (null once done), and its outcome.
        public ParseStep? InPass;
        public int InPassSlots;
        public StepOutcome? InPassOutcome;

        // Where the string the parse step just unescaped into the work's Text starts, plus 1 (0: none), for the mask to reuse.
        public int UnescapedAt;

        public readonly int MaskOwner => Parts?.MaskOwner ?? 0;

        public readonly int AssignmentOwner(int i) => Parts is null ? 0 : Parts.AssignmentOwners[i];

        public void Mark(int owner)
        {
            Changed = true;
            Changes++;
            ChangedSteps |= 1UL << owner;
        }
    }

    // The reader is on the StartObject of an object whose members' paths have depth+1 segments.
    private static void RewriteObject(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int depth)
    {
        var plan = ctx.Plan;
        var names = ctx.Work.Names;
        var run = new RawRun();
        w.WriteStartObject();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
            int nameStart = (int)reader.TokenStartIndex;
            // A name written as the writer would write it (not escaped, printable ASCII, none of the characters an encoder
            // might escape) may be copied as it is.
            bool plainName = !reader.ValueIsEscaped && name.IndexOfAnyExcept(PlainNameBytes) < 0;
            if (reader.ValueIsEscaped)
            {
                var text = ctx.Work.Text;
                text.ResetWrittenCount();
                int n = reader.CopyString(text.GetSpan(name.Length));
                text.Advance(n);
                name = text.WrittenSpan;
            }
            names.Set(depth, name);
            name = names[depth];
            reader.Read();
            int count = depth + 1;
            if (depth == 0 && ctx.InPass is { } parse) ParseInPass(ref reader, ref ctx, parse, names);
            else ctx.UnescapedAt = 0;
            // Name, colon and value with nothing between: the member's text is what the writer would make of it.
            bool compact = plainName && reader.TokenStartIndex == nameStart + name.Length + 3;

            // A top-level member no path starts at (the common case) can only be the patterns' concern.
            bool pathless = depth == 0 && !plan.MayStartPath(name);
            int remover = pathless ? -1 : MatchingRemove(ref ctx, names, count);
            if (remover >= 0)
            {
                // A removal after the mask takes away what the mask may have changed first: its outcome would differ.
                if (IsAfterMask(ref ctx, remover) && MaskCouldChange(reader, json, ref ctx, names, count)) ctx.Sequential = true;
                reader.Skip();
                ctx.Mark(remover);
                continue;
            }

            int assigned = pathless ? -1 : ExactAssignment(ref ctx, names, count);
            if (assigned >= 0)
            {
                var slots = ctx.Work.Assignments;
                slots.MarkDone(ctx.SlotBase + assigned);
                if (plan.Assignments[assigned].Overwrite)
                {
                    int owner = ctx.AssignmentOwner(assigned);
                    if (IsAfterMask(ref ctx, owner) && MaskCouldChange(reader, json, ref ctx, names, count)) ctx.Sequential = true;
                    reader.Skip();
                    run.Flush(w, json);
                    w.WritePropertyName(name);
                    WriteAssignedValue(w, ref ctx, assigned, names, count);
                    ctx.Mark(owner);
                    continue;
                }
            }

            bool masked = !pathless && plan.Action is not null && plan.MaskDepths.Has(count) && AnyMatches(plan.MaskPaths, names, count);
            if (!masked && compact && TryCopyMember(ref reader, json, w, ref ctx, names, count, nameStart, ref run)) continue;
            run.Flush(w, json);
            w.WritePropertyName(name);
            WriteMemberValue(ref reader, json, w, ref ctx, names, count, masked);
        }
        run.Flush(w, json);
        WritePending(w, ref ctx, names, depth);
        w.WriteEndObject();
    }

    /// <summary>
    /// A top-level member while a parse step's field is still to come: the field's value is parsed now, before any step
    /// changes it (the first member of that name, as locating it finds). The step's target or error member met before
    /// it cannot be set in place: the steps then run one by one.
    /// </summary>
    private static void ParseInPass(ref TrustedJsonReader reader, ref Context ctx, ParseStep parse, PathStack names)
    {
        if (parse.IsField(names))
        {
            ctx.InPassOutcome = parse.PrepareInPass(ref reader, ctx.Work, ctx.InPassSlots);
            ctx.InPass = null;
            // Its text stays in the work's Text until the next member: the mask may search it there.
            if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped) ctx.UnescapedAt = (int)reader.TokenStartIndex + 1;
        }
        else if (parse.MaySet(names)) ctx.Sequential = true;
    }

    /// <summary>
    /// Consecutive members no step changes, each written compactly, copied with one raw write (the writer's own output
    /// for them would be the same bytes, member by member).
    /// </summary>
    private struct RawRun
    {
        private int _start;
        private int _end;

        /// <summary>Adds the member at [start, end); true when it continues the run (after one comma), else a new run begins (after flushing).</summary>
        public void Add(Utf8JsonWriter w, ReadOnlySpan<byte> json, int start, int end)
        {
            if (_end > _start && start == _end + 1 && json[_end] == (byte)',')
            {
                _end = end;
                return;
            }
            Flush(w, json);
            _start = start;
            _end = end;
        }

        public void Flush(Utf8JsonWriter w, ReadOnlySpan<byte> json)
        {
            if (_end <= _start) return;
            // The writer takes the members as one value: it puts the comma before them when one is due, and after them before the next.
            w.WriteRawValue(json[_start.._end], skipInputValidation: true);
            _start = _end = 0;
        }
    }

    /// <summary>
    /// Copies a compactly written member into <paramref name="run"/> when nothing applies to it (no mask path, no path
    /// into it, no pattern can match in it); false, with the reader still on its value, otherwise (the caller writes it).
    /// </summary>
    private static bool TryCopyMember(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, PathStack names, int count, int nameStart, ref RawRun run)
    {
        var plan = ctx.Plan;
        int start = (int)reader.TokenStartIndex;
        int end;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                if (ctx.Rechecked || plan.Patterns.Length > 0 || DescentCauses(ref ctx, names, count) != 0) return false;
                SkipBlockedAssignments(ref ctx, names, count);
                reader.Skip();
                end = (int)reader.BytesConsumed;
                break;
            case JsonTokenType.String:
                end = start + reader.ValueSpan.Length + 2;
                if (plan.Patterns.Length > 0 && plan.Action is not null && !plan.PatternsCannotMatch(json[start..end], ctx.UnicodeEscape && RewritePlan.HasUnicodeEscape(json[start..end])))
                {
                    // The caller writes it; the search need not be made again.
                    ctx.NeedleFound = true;
                    return false;
                }
                SkipBlockedAssignments(ref ctx, names, count);
                break;
            default:
                end = start + reader.ValueSpan.Length;
                SkipBlockedAssignments(ref ctx, names, count);
                break;
        }
        run.Add(w, json, nameStart, end);
        return true;
    }

    /// <summary>
    /// The value of the member named by the first <paramref name="count"/> names (the reader on it, its name written),
    /// once no removal or set took it: masked, rewritten inside, or copied.
    /// </summary>
    private static void WriteMemberValue(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, PathStack names, int count, bool masked)
    {
        var plan = ctx.Plan;
        if (masked)
        {
            WriteMaskedValue(ref reader, json, w, ref ctx);
            ctx.Mark(ctx.MaskOwner);
            return;
        }
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                ulong causes = DescentCauses(ref ctx, names, count);
                if (causes != 0) Descend(ref reader, json, w, ref ctx, count, causes);
                else if (plan.Patterns.Length > 0) RewriteForPatterns(ref reader, json, w, ref ctx, count);
                else CopySubtree(ref reader, json, w, ref ctx, count);
                break;
            default:
                // A member on the way to a set path that is not an object: the set cannot apply.
                SkipBlockedAssignments(ref ctx, names, count);
                WriteScalar(ref reader, json, w, ref ctx);
                break;
        }
    }

    /// <summary>
    /// Rewrites a container some path goes into. In a fused pass, notes when that changed nothing in it but its text
    /// (whitespace, escapes in names), with the steps that went in: one step's pass alone keeps that only if it changed
    /// the event somewhere.
    /// </summary>
    private static void Descend(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int count, ulong causes)
    {
        if (ctx.Parts is not { } parts)
        {
            RewriteContainer(ref reader, json, w, ref ctx, count);
            return;
        }
        // The mask alone would have searched this subtree whole for its patterns (it has no path into it), and when a
        // needle is there, re-written all of it: do the same. Whether the needle is there depends on what steps before
        // the mask changed inside: when one did, the steps run one by one instead.
        bool recheck = false;
        ulong maskBit = 1UL << parts.MaskOwner;
        if (ctx.MaskActive && !ctx.Rechecked && (causes & maskBit) == 0 && parts.MaskOnly.Patterns.Length > 0)
        {
            if ((causes & (maskBit - 1)) != 0) ctx.Sequential = true;
            else if (ctx.Plan.Patterns.Length > 0)
            {
                var probe = reader;
                int from = (int)probe.TokenStartIndex;
                probe.Skip();
                var raw = json[from..(int)probe.BytesConsumed];
                recheck = !ctx.Plan.PatternsCannotMatch(raw, ctx.UnicodeEscape && RewritePlan.HasUnicodeEscape(raw));
                if (recheck) causes |= maskBit;
            }
        }
        long written = w.BytesCommitted + w.BytesPending;
        long start = reader.TokenStartIndex;
        int changes = ctx.Changes;
        if (recheck) ctx.Rechecked = true;
        RewriteContainer(ref reader, json, w, ref ctx, count);
        if (recheck) ctx.Rechecked = false;
        if (ctx.Changes == changes && w.BytesCommitted + w.BytesPending - written != reader.BytesConsumed - start && !ctx.Work.DescentCauses.Add(causes))
            ctx.Sequential = true;
    }

    // Arrays are transparent to paths: their elements' members continue the array's path.
    private static void RewriteArray(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int depth)
    {
        w.WriteStartArray();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    RewriteObject(ref reader, json, w, ref ctx, depth);
                    break;
                case JsonTokenType.StartArray:
                    RewriteArray(ref reader, json, w, ref ctx, depth);
                    break;
                default:
                    WriteScalar(ref reader, json, w, ref ctx);
                    break;
            }
        }
        w.WriteEndArray();
    }

    private static void RewriteContainer(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int count)
    {
        if (reader.TokenType == JsonTokenType.StartObject) RewriteObject(ref reader, json, w, ref ctx, count);
        else RewriteArray(ref reader, json, w, ref ctx, count);
    }

    /// <summary>
    /// A subtree only the patterns could change: copied as it is when its text shows they cannot match (one read to
    /// find its end, one search per needle), else read again and rewritten.
    /// </summary>
    private static void RewriteForPatterns(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int count)
    {
        if (ctx.Rechecked)
        {
            // In a fused pass, a re-written subtree the mask changed nothing in is noted like any other.
            if (ctx.Parts is null) RewriteContainer(ref reader, json, w, ref ctx, count);
            else Descend(ref reader, json, w, ref ctx, count, 1UL << ctx.MaskOwner);
            return;
        }
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        var subtree = json[start..(int)reader.BytesConsumed];
        if (ctx.Plan.PatternsCannotMatch(subtree, ctx.UnicodeEscape && RewritePlan.HasUnicodeEscape(subtree)))
        {
            SkipBlockedAssignments(ref ctx, ctx.Work.Names, count);
            w.WriteRawValue(subtree, skipInputValidation: true);
            return;
        }
        var again = new TrustedJsonReader(subtree, MaxDepth);
        again.Read();
        ctx.Rechecked = true;
        Descend(ref again, subtree, w, ref ctx, count, 1UL << ctx.MaskOwner);
        ctx.Rechecked = false;
    }

    private static void CopySubtree(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int count)
    {
        SkipBlockedAssignments(ref ctx, ctx.Work.Names, count);
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        w.WriteRawValue(json[start..(int)reader.BytesConsumed], skipInputValidation: true);
    }

    private static void WriteScalar(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            int start = (int)reader.TokenStartIndex;
            var raw = json.Slice(start, reader.ValueSpan.Length + 2);
            bool needle = ctx.NeedleFound;
            ctx.NeedleFound = false;
            if (ctx.Plan.Patterns.Length > 0 && ctx.Plan.Action is { } action && (needle || !ctx.Plan.PatternsCannotMatch(raw, ctx.UnicodeEscape && RewritePlan.HasUnicodeEscape(raw))))
            {
                var text = ctx.UnescapedAt == start + 1 ? ctx.Work.Text.WrittenSpan : UnescapedString(ref reader, ctx.Work);
                // One pattern over a string a writer would write as it stands: copy its text between matches as it is.
                if (ctx.Plan.Patterns is [{ FindsInBytes: true } only] && WrittenAsItStands(raw[1..^1], reader.ValueHasRareEscape))
                {
                    var output = ctx.Work.Text2;
                    if (only.TryApplyToJsonString(text, raw[1..^1], output, action, out bool any))
                    {
                        if (any)
                        {
                            w.WriteRawValue(output.WrittenSpan, skipInputValidation: true);
                            ctx.Mark(ctx.MaskOwner);
                        }
                        else w.WriteRawValue(raw, skipInputValidation: true);
                        return;
                    }
                }
                if (MaskPatterns(text, ctx.Plan.Patterns, action, ctx.Work, out var masked))
                {
                    w.WriteStringValue(masked);
                    ctx.Mark(ctx.MaskOwner);
                    return;
                }
            }
            w.WriteRawValue(raw, skipInputValidation: true);
            return;
        }
        w.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
    }

    /// <summary>
    /// Whether a string's content (between its quotes, as written) is what the event writer writes for its unescaped
    /// text: printable ASCII, escapes only <c>\"</c>, <c>\\</c>, <c>\b</c>, <c>\f</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>
    /// (the writer's own forms; it writes <c>/</c> and other ASCII unescaped and controls as <c>\u00XX</c>).
    /// <paramref name="rareEscape"/>: whether the reader saw a <c>\u</c> or <c>\/</c> escape in it
    /// (<see cref="TrustedJsonReader.ValueHasRareEscape"/>, noted while it found the string's end).
    /// </summary>
    internal static bool WrittenAsItStands(ReadOnlySpan<byte> content, bool rareEscape) =>
        !rareEscape && content.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) < 0;

    /// <summary>Runs each pattern in turn over the text; the result is in one of the work's text buffers.</summary>
    private static bool MaskPatterns(ReadOnlySpan<byte> text, MaskPattern[] patterns, MaskAction action, EventWork work, out ReadOnlySpan<byte> masked)
    {
        masked = text;
        bool any = false;
        var into = work.Text2;
        var other = work.Text;
        foreach (var pattern in patterns)
        {
            if (!pattern.Apply(masked, into, action)) continue;
            masked = into.WrittenSpan;
            any = true;
            (into, other) = (other, into);
        }
        return any;
    }

    private static ReadOnlySpan<byte> UnescapedString(ref TrustedJsonReader reader, EventWork work)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        var text = work.Text;
        text.ResetWrittenCount();
        int n = reader.CopyString(text.GetSpan(reader.ValueSpan.Length));
        text.Advance(n);
        return text.WrittenSpan;
    }

    /// <summary>A masked member becomes a string: the mask of its text (a string's content, or any other value's JSON text).</summary>
    private static void WriteMaskedValue(ref TrustedJsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx)
    {
        scoped ReadOnlySpan<byte> secret;
        if (reader.TokenType == JsonTokenType.String) secret = UnescapedString(ref reader, ctx.Work);
        else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            secret = json[start..(int)reader.BytesConsumed];
        }
        else secret = reader.ValueSpan;
        var output = ctx.Work.Text2;
        output.ResetWrittenCount();
        ctx.Plan.Action!.Write(secret, output);
        w.WriteStringValue(output.WrittenSpan);
    }

    /// <summary>
    /// Writes assignment <paramref name="i"/>'s value as the member named by the first <paramref name="count"/> names.
    /// In a fused pass, the value of a step before the mask goes through the mask (paths inside it, patterns), as the mask
    /// step would have rewritten it.
    /// </summary>
    private static void WriteAssignedValue(Utf8JsonWriter w, ref Context ctx, int i, PathStack names, int count)
    {
        var slots = ctx.Work.Assignments;
        var value = ctx.Work.Values.WrittenSpan.Slice(slots.Start(ctx.SlotBase + i), slots.Length(ctx.SlotBase + i));
        if (ctx.Parts is not { } parts || !ctx.MaskActive || parts.AssignmentOwners[i] > parts.MaskOwner)
        {
            w.WriteRawValue(value, skipInputValidation: true);
            return;
        }
        var inner = new Context(ctx.Work, parts.MaskOnly)
        {
            Parts = parts,
            Active = ctx.Active,
            MaskActive = true,
            UnicodeEscape = RewritePlan.HasUnicodeEscape(value),
        };
        var reader = new TrustedJsonReader(value, MaxDepth);
        reader.Read();
        // A container value is one whole subtree: its needles are looked for in it directly, without a read to find its end.
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
            && !AnyMatches(parts.MaskOnly.MaskPaths, names, count) && DescentCauses(ref inner, names, count) == 0)
        {
            if (parts.MaskOnly.PatternsCannotMatch(value, inner.UnicodeEscape))
            {
                w.WriteRawValue(value, skipInputValidation: true);
                return;
            }
            inner.Rechecked = true;
            Descend(ref reader, value, w, ref inner, count, 1UL << parts.MaskOwner);
        }
        else WriteMemberValue(ref reader, value, w, ref inner, names, count, AnyMatches(parts.MaskOnly.MaskPaths, names, count));
        if (inner.Changed) ctx.Changed = true;
        ctx.ChangedSteps |= inner.ChangedSteps;
        ctx.Changes += inner.Changes;
        if (inner.Sequential) ctx.Sequential = true;
    }

    private static bool IsAfterMask(ref Context ctx, int owner) => ctx.MaskActive && owner > ctx.Parts!.MaskOwner;

    /// <summary>Whether the mask would change the member the reader is on (a copy: the caller's reader does not move).</summary>
    private static bool MaskCouldChange(TrustedJsonReader probe, ReadOnlySpan<byte> json, ref Context ctx, PathStack names, int count)
    {
        var mask = ctx.Parts!.MaskOnly;
        if (AnyMatches(mask.MaskPaths, names, count)) return true;
        bool container = probe.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray;
        if (container)
            foreach (var p in mask.MaskPaths)
                if (p.Segments.Length > count && names.PrefixMatches(p, count)) return true;
        // No pattern left in the plan: none can match anywhere in this event.
        if (ctx.Plan.Patterns.Length == 0) return false;
        int start = (int)probe.TokenStartIndex;
        ReadOnlySpan<byte> raw;
        if (container)
        {
            probe.Skip();
            raw = json[start..(int)probe.BytesConsumed];
        }
        else if (probe.TokenType == JsonTokenType.String) raw = json.Slice(start, probe.ValueSpan.Length + 2);
        else return false;
        return !ctx.Plan.PatternsCannotMatch(raw, ctx.UnicodeEscape && RewritePlan.HasUnicodeEscape(raw));
    }

    private static bool AnyMatches(FieldPath[] paths, PathStack names, int count)
    {
        foreach (var p in paths)
            if (names.Matches(p, count)) return true;
        return false;
    }

    // The removal (its owner: the step in a fused run, else 0) that takes the member, or -1.
    private static int MatchingRemove(ref Context ctx, PathStack names, int count)
    {
        if (!ctx.Plan.RemoveDepths.Has(count)) return -1;
        var removes = ctx.Plan.Removes;
        for (int i = 0; i < removes.Length; i++)
        {
            if (!names.Matches(removes[i], count)) continue;
            if (ctx.Parts is null) return 0;
            int owner = ctx.Parts.RemoveOwners[i];
            if ((ctx.Active & (1UL << owner)) != 0) return owner;
        }
        return -1;
    }

    private static int ExactAssignment(ref Context ctx, PathStack names, int count)
    {
        if (!ctx.Plan.AssignmentDepths.Has(count)) return -1;
        var assignments = ctx.Plan.Assignments;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < assignments.Length; i++)
            if (slots.HasValue(ctx.SlotBase + i) && !slots.IsDone(ctx.SlotBase + i) && names.Matches(assignments[i].Path, count)) return i;
        return -1;
    }

    // Whether a path (to mask, remove or set) goes below the member at depth count; patterns are decided apart.
    // Nonzero when one does: in a fused pass a bit per step whose path does, else 1.
    private static ulong DescentCauses(ref Context ctx, PathStack names, int count)
    {
        var plan = ctx.Plan;
        var parts = ctx.Parts;
        ulong causes = 0;
        if (plan.Action is not null && plan.MaskDepths.Max > count)
            foreach (var p in plan.MaskPaths)
                if (p.Segments.Length > count && names.PrefixMatches(p, count))
                {
                    if (parts is null) return 1;
                    causes |= 1UL << parts.MaskOwner;
                    break;
                }
        for (int i = 0; plan.RemoveDepths.Max > count && i < plan.Removes.Length; i++)
        {
            var p = plan.Removes[i];
            if (p.Segments.Length <= count || !names.PrefixMatches(p, count)) continue;
            if (parts is null) return 1;
            int owner = parts.RemoveOwners[i];
            if ((ctx.Active & (1UL << owner)) != 0) causes |= 1UL << owner;
        }
        if (plan.AssignmentDepths.Max <= count) return causes;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < plan.Assignments.Length; i++)
        {
            var p = plan.Assignments[i].Path;
            if (slots.HasValue(ctx.SlotBase + i) && !slots.IsDone(ctx.SlotBase + i) && p.Segments.Length > count && names.PrefixMatches(p, count))
            {
                if (parts is null) return 1;
                causes |= 1UL << parts.AssignmentOwners[i];
            }
        }
        return causes;
    }

    // Assignments that go through a member that is there but not descended into (not an object, or an array) are dropped.
    private static void SkipBlockedAssignments(ref Context ctx, PathStack names, int count)
    {
        var plan = ctx.Plan;
        if (plan.AssignmentDepths.Max <= count) return;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < plan.Assignments.Length; i++)
        {
            var p = plan.Assignments[i].Path;
            if (!slots.IsDone(ctx.SlotBase + i) && p.Segments.Length > count && names.PrefixMatches(p, count)) slots.MarkDone(ctx.SlotBase + i);
        }
    }

    /// <summary>Before an object closes: writes the assignments that belong in it and were not met, creating missing objects on their way.</summary>
    private static void WritePending(Utf8JsonWriter w, ref Context ctx, PathStack names, int depth)
    {
        var plan = ctx.Plan;
        if (plan.AssignmentDepths.Max <= depth) return;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < plan.Assignments.Length; i++)
        {
            var p = plan.Assignments[i].Path;
            if (!slots.HasValue(ctx.SlotBase + i) || slots.IsDone(ctx.SlotBase + i) || p.Segments.Length <= depth || !names.PrefixMatches(p, depth)) continue;
            WriteMissing(w, ref ctx, p, depth);
        }
    }

    // Writes every pending assignment sharing `owner`'s first `level` segments, as members of the current object.
    private static void WriteMissing(Utf8JsonWriter w, ref Context ctx, FieldPath owner, int level)
    {
        var plan = ctx.Plan;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < plan.Assignments.Length; i++)
        {
            var p = plan.Assignments[i].Path;
            if (!slots.HasValue(ctx.SlotBase + i) || slots.IsDone(ctx.SlotBase + i) || p.Segments.Length <= level || !SamePrefix(p, owner, level)) continue;
            w.WritePropertyName(p.Segments[level]);
            // A fused pass may write the value through the mask, whose paths are matched against these names.
            if (ctx.Parts is not null) ctx.Work.Names.Set(level, p.Segments[level]);
            if (p.Segments.Length == level + 1)
            {
                slots.MarkDone(ctx.SlotBase + i);
                WriteAssignedValue(w, ref ctx, i, ctx.Work.Names, level + 1);
            }
            else
            {
                w.WriteStartObject();
                WriteMissing(w, ref ctx, p, level + 1);
                w.WriteEndObject();
            }
            ctx.Mark(ctx.AssignmentOwner(i));
        }
    }

    private static bool SamePrefix(FieldPath a, FieldPath b, int count)
    {
        if (a.Segments.Length < count || b.Segments.Length < count) return false;
        for (int i = 0; i < count; i++)
            if (!a.Segments[i].AsSpan().SequenceEqual(b.Segments[i])) return false;
        return true;
    }
}
