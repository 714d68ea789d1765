using System.Text.Json;
using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// Rewrites an event's JSON by a <see cref="RewritePlan"/>: reads it once with <see cref="Utf8JsonReader"/> and writes
/// the new event with <see cref="Utf8JsonWriter"/> into the work's other buffer. Members no path reaches are copied as
/// their raw text (whole subtrees at once); only masked, removed and set members are re-encoded. Events whose top level
/// is not an object, or whose JSON does not read, are left as they are.
/// </summary>
internal static class JsonRewriter
{
    private const int MaxDepth = 256;

    /// <summary>Applies the plan; true when the event changed (and <see cref="EventWork.Json"/> is the new one).</summary>
    public static bool Rewrite(EventWork work, RewritePlan plan)
    {
        var json = work.Json;
        if (json.IsEmpty || json[0] != (byte)'{') return false;
        var writer = work.BeginRewrite();
        var ctx = new Context(work, plan);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = MaxDepth });
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
        work.EndRewrite(ctx.Changed);
        return ctx.Changed;
    }

    private struct Context(EventWork work, RewritePlan plan)
    {
        public readonly EventWork Work = work;
        public readonly RewritePlan Plan = plan;
        public bool Changed;
    }

    // The reader is on the StartObject of an object whose members' paths have depth+1 segments.
    private static void RewriteObject(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int depth)
    {
        var plan = ctx.Plan;
        var names = ctx.Work.Names;
        w.WriteStartObject();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            ReadOnlySpan<byte> name = reader.ValueSpan;
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

            if (AnyMatches(plan.Removes, names, count))
            {
                reader.Skip();
                ctx.Changed = true;
                continue;
            }

            int assigned = ExactAssignment(ref ctx, names, count);
            if (assigned >= 0)
            {
                var slots = ctx.Work.Assignments;
                slots.MarkDone(assigned);
                if (plan.Assignments[assigned].Overwrite)
                {
                    reader.Skip();
                    w.WritePropertyName(name);
                    w.WriteRawValue(ctx.Work.Values.WrittenSpan.Slice(slots.Start(assigned), slots.Length(assigned)), skipInputValidation: true);
                    ctx.Changed = true;
                    continue;
                }
            }

            if (plan.Action is not null && AnyMatches(plan.MaskPaths, names, count))
            {
                w.WritePropertyName(name);
                WriteMaskedValue(ref reader, json, w, ref ctx);
                ctx.Changed = true;
                continue;
            }

            w.WritePropertyName(name);
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    if (NeedsDescent(ref ctx, names, count)) RewriteObject(ref reader, json, w, ref ctx, count);
                    else CopySubtree(ref reader, json, w, ref ctx, count);
                    break;
                case JsonTokenType.StartArray:
                    if (NeedsDescent(ref ctx, names, count)) RewriteArray(ref reader, json, w, ref ctx, count);
                    else CopySubtree(ref reader, json, w, ref ctx, count);
                    break;
                default:
                    // A member on the way to a set path that is not an object: the set cannot apply.
                    SkipBlockedAssignments(ref ctx, names, count);
                    WriteScalar(ref reader, json, w, ref ctx);
                    break;
            }
        }
        WritePending(w, ref ctx, names, depth);
        w.WriteEndObject();
    }

    // Arrays are transparent to paths: their elements' members continue the array's path.
    private static void RewriteArray(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int depth)
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

    private static void CopySubtree(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx, int count)
    {
        SkipBlockedAssignments(ref ctx, ctx.Work.Names, count);
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        w.WriteRawValue(json[start..(int)reader.BytesConsumed], skipInputValidation: true);
    }

    private static void WriteScalar(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            int start = (int)reader.TokenStartIndex;
            var raw = json.Slice(start, reader.ValueSpan.Length + 2);
            if (ctx.Plan.Patterns.Length > 0 && ctx.Plan.Action is { } action)
            {
                var text = UnescapedString(ref reader, ctx.Work);
                if (MaskPatterns(text, ctx.Plan.Patterns, action, ctx.Work, out var masked))
                {
                    w.WriteStringValue(masked);
                    ctx.Changed = true;
                    return;
                }
            }
            w.WriteRawValue(raw, skipInputValidation: true);
            return;
        }
        w.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
    }

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

    private static ReadOnlySpan<byte> UnescapedString(ref Utf8JsonReader reader, EventWork work)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        var text = work.Text;
        text.ResetWrittenCount();
        int n = reader.CopyString(text.GetSpan(reader.ValueSpan.Length));
        text.Advance(n);
        return text.WrittenSpan;
    }

    /// <summary>A masked member becomes a string: the mask of its text (a string's content, or any other value's JSON text).</summary>
    private static void WriteMaskedValue(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, Utf8JsonWriter w, ref Context ctx)
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

    private static bool AnyMatches(FieldPath[] paths, PathStack names, int count)
    {
        foreach (var p in paths)
            if (names.Matches(p, count)) return true;
        return false;
    }

    private static int ExactAssignment(ref Context ctx, PathStack names, int count)
    {
        var assignments = ctx.Plan.Assignments;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < assignments.Length; i++)
            if (slots.HasValue(i) && !slots.IsDone(i) && names.Matches(assignments[i].Path, count)) return i;
        return -1;
    }

    private static bool NeedsDescent(ref Context ctx, PathStack names, int count)
    {
        var plan = ctx.Plan;
        if (plan.Patterns.Length > 0) return true;
        if (plan.Action is not null)
            foreach (var p in plan.MaskPaths)
                if (p.Segments.Length > count && names.PrefixMatches(p, count)) return true;
        foreach (var p in plan.Removes)
            if (p.Segments.Length > count && names.PrefixMatches(p, count)) return true;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < plan.Assignments.Length; i++)
        {
            var p = plan.Assignments[i].Path;
            if (slots.HasValue(i) && !slots.IsDone(i) && p.Segments.Length > count && names.PrefixMatches(p, count)) return true;
        }
        return false;
    }

    // Assignments that go through a member that is there but not descended into (not an object, or an array) are dropped.
    private static void SkipBlockedAssignments(ref Context ctx, PathStack names, int count)
    {
        var plan = ctx.Plan;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < plan.Assignments.Length; i++)
        {
            var p = plan.Assignments[i].Path;
            if (!slots.IsDone(i) && p.Segments.Length > count && names.PrefixMatches(p, count)) slots.MarkDone(i);
        }
    }

    /// <summary>Before an object closes: writes the assignments that belong in it and were not met, creating missing objects on their way.</summary>
    private static void WritePending(Utf8JsonWriter w, ref Context ctx, PathStack names, int depth)
    {
        var plan = ctx.Plan;
        var slots = ctx.Work.Assignments;
        for (int i = 0; i < plan.Assignments.Length; i++)
        {
            var p = plan.Assignments[i].Path;
            if (!slots.HasValue(i) || slots.IsDone(i) || p.Segments.Length <= depth || !names.PrefixMatches(p, depth)) continue;
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
            if (!slots.HasValue(i) || slots.IsDone(i) || p.Segments.Length <= level || !SamePrefix(p, owner, level)) continue;
            w.WritePropertyName(p.Segments[level]);
            if (p.Segments.Length == level + 1)
            {
                slots.MarkDone(i);
                w.WriteRawValue(ctx.Work.Values.WrittenSpan.Slice(slots.Start(i), slots.Length(i)), skipInputValidation: true);
            }
            else
            {
                w.WriteStartObject();
                WriteMissing(w, ref ctx, p, level + 1);
                w.WriteEndObject();
            }
            ctx.Changed = true;
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
