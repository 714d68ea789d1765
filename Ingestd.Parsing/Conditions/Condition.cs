using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace Ingestd.Parsing.Conditions;

/// <summary>
/// A compiled condition: a tree of small predicates built once by <see cref="ConditionParser"/> and evaluated
/// per event over <see cref="EventFields"/> with span comparisons, allocating nothing.
/// </summary>
internal abstract class Condition
{
    public abstract bool Evaluate(ref EventFields e);

    /// <summary>The paths this condition reads, so the pipeline can give them locator slots.</summary>
    public abstract void CollectPaths(List<FieldPath> into);
}

internal sealed class ConstantCondition(bool value) : Condition
{
    public override bool Evaluate(ref EventFields e) => value;

    public override void CollectPaths(List<FieldPath> into) { }
}

internal sealed class AndCondition(Condition left, Condition right) : Condition
{
    public override bool Evaluate(ref EventFields e) => left.Evaluate(ref e) && right.Evaluate(ref e);

    public override void CollectPaths(List<FieldPath> into)
    {
        left.CollectPaths(into);
        right.CollectPaths(into);
    }
}

internal sealed class OrCondition(Condition left, Condition right) : Condition
{
    public override bool Evaluate(ref EventFields e) => left.Evaluate(ref e) || right.Evaluate(ref e);

    public override void CollectPaths(List<FieldPath> into)
    {
        left.CollectPaths(into);
        right.CollectPaths(into);
    }
}

internal sealed class NotCondition(Condition inner) : Condition
{
    public override bool Evaluate(ref EventFields e) => !inner.Evaluate(ref e);

    public override void CollectPaths(List<FieldPath> into) => inner.CollectPaths(into);
}

/// <summary>Base of the conditions over one field.</summary>
internal abstract class FieldCondition(FieldPath path) : Condition
{
    public FieldPath Path { get; set; } = path;

    public override void CollectPaths(List<FieldPath> into) => into.Add(Path);
}

/// <summary><c>exists(path)</c>: the field is present (a JSON <c>null</c> counts as present; a header field when non-empty).</summary>
internal sealed class ExistsCondition(FieldPath path) : FieldCondition(path)
{
    public override bool Evaluate(ref EventFields e)
    {
        var v = e.Get(Path);
        return Path.IsHeader ? !v.Bytes.IsEmpty : v.Exists;
    }
}

/// <summary>A bare path: true when the field is the JSON literal <c>true</c>.</summary>
internal sealed class TruthyCondition(FieldPath path) : FieldCondition(path)
{
    public override bool Evaluate(ref EventFields e) => e.Get(Path).Kind == FieldKind.True;
}

internal enum CompareOp : byte { Equal, NotEqual, Less, Greater, LessOrEqual, GreaterOrEqual }

/// <summary>A literal in a condition: a string, a number, a boolean or null.</summary>
internal sealed class ConditionLiteral
{
    private ConditionLiteral(FieldKind kind, byte[] utf8, double number)
    {
        Kind = kind;
        Utf8 = utf8;
        Number = number;
    }

    public FieldKind Kind { get; }

    /// <summary>A string literal's UTF-8 bytes (empty for the others).</summary>
    public byte[] Utf8 { get; }

    public double Number { get; }

    public static ConditionLiteral String(string s) => new(FieldKind.String, System.Text.Encoding.UTF8.GetBytes(s), 0);

    public static ConditionLiteral Of(double n) => new(FieldKind.Number, [], n);

    public static ConditionLiteral Bool(bool b) => new(b ? FieldKind.True : FieldKind.False, [], 0);

    public static ConditionLiteral Null { get; } = new(FieldKind.Null, [], 0);

    /// <summary>
    /// Compares a value with this literal: strings byte-wise (ordinal), numbers numerically (a string holding a number
    /// compares as one against a number literal), booleans and null by kind. -2 when they cannot be compared.
    /// </summary>
    public int CompareWith(in FieldValue v)
    {
        switch (Kind)
        {
            case FieldKind.String:
                if (v.Kind != FieldKind.String) return -2;
                int c = v.Bytes.SequenceCompareTo(Utf8);
                return c < 0 ? -1 : c > 0 ? 1 : 0;
            case FieldKind.Number:
                if (!v.TryGetNumber(out double n)) return -2;
                return n < Number ? -1 : n > Number ? 1 : n == Number ? 0 : -2;
            default:
                return v.Kind == Kind ? 0 : -2;
        }
    }
}

/// <summary><c>path OP literal</c>. A missing field or a value of another type is unequal to the literal and neither less nor greater.</summary>
internal sealed class CompareCondition(FieldPath path, CompareOp op, ConditionLiteral literal) : FieldCondition(path)
{
    public override bool Evaluate(ref EventFields e)
    {
        var v = e.Get(Path);
        int c = literal.CompareWith(v);
        return op switch
        {
            CompareOp.Equal => c == 0,
            CompareOp.NotEqual => c != 0,
            CompareOp.Less => c == -1,
            CompareOp.Greater => c == 1,
            CompareOp.LessOrEqual => c is -1 or 0,
            _ => c is 1 or 0,
        };
    }
}

/// <summary><c>path in [a, b, …]</c>: equal to one of the literals.</summary>
internal sealed class InCondition(FieldPath path, ConditionLiteral[] literals) : FieldCondition(path)
{
    public override bool Evaluate(ref EventFields e)
    {
        var v = e.Get(Path);
        if (!v.Exists) return false;
        foreach (var literal in literals)
            if (literal.CompareWith(v) == 0) return true;
        return false;
    }
}

internal enum TextTest : byte { StartsWith, Contains }

/// <summary><c>starts_with(path, "x")</c> and <c>contains(path, "x")</c> over a string field.</summary>
internal sealed class TextCondition(FieldPath path, TextTest test, byte[] needle) : FieldCondition(path)
{
    public override bool Evaluate(ref EventFields e)
    {
        var v = e.Get(Path);
        if (v.Kind != FieldKind.String) return false;
        return test == TextTest.StartsWith ? v.Bytes.StartsWith(needle) : v.Bytes.IndexOf(needle) >= 0;
    }
}

/// <summary>
/// <c>matches(path, "regex")</c>: .NET regex (non-backtracking, so no input can make it slow), compiled at load,
/// run over the value decoded into a pooled char buffer.
/// </summary>
internal sealed class MatchesCondition(FieldPath path, Regex regex) : FieldCondition(path)
{
    public override bool Evaluate(ref EventFields e)
    {
        var v = e.Get(Path);
        if (v.Kind != FieldKind.String) return false;
        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(16, v.Bytes.Length));
        try
        {
            int n = System.Text.Encoding.UTF8.GetChars(v.Bytes, chars);
            return regex.IsMatch(chars.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
