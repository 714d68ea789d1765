using Ingestd.Parsing.Conditions;

namespace Ingestd.Selection;

/// <summary>
/// A <c>where</c> condition as written and as parsed. Two are equal when their text is: a parsed condition has no
/// equality of its own, and a config reload must see an unchanged <c>match.where</c> as unchanged.
/// </summary>
internal sealed record RecordCondition(string Text, Condition Compiled)
{
    /// <summary>Parses <paramref name="text"/>; a <see cref="ConditionException"/> names the column.</summary>
    public static RecordCondition Parse(string text) => new(text, ConditionParser.Parse(text));

    public bool Equals(RecordCondition? other) => other is not null && Text == other.Text;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
}
