namespace Ingestd.Parsing.Conditions;

/// <summary>A condition that does not parse; <see cref="Column"/> is 1-based within the condition text.</summary>
internal sealed class ConditionException(int column, string problem) : Exception($"column {column}: {problem}")
{
    public int Column { get; } = column;

    public string Problem { get; } = problem;
}
