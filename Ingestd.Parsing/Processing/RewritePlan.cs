using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// What one step changes in an event's JSON, fixed at load: members to mask (by path, wildcards allowed) and
/// patterns to mask inside every string, members to remove, members to set. <see cref="JsonRewriter"/> applies it
/// in one read of the event.
/// </summary>
internal sealed class RewritePlan
{
    public FieldPath[] MaskPaths { get; init; } = [];
    public MaskPattern[] Patterns { get; init; } = [];
    public MaskAction? Action { get; init; }
    public FieldPath[] Removes { get; init; } = [];
    public Assignment[] Assignments { get; init; } = [];
}
