namespace Ingestd.Parsing.Conditions;

/// <summary>
/// Gives each distinct JSON path a pipeline set uses one slot of the per-event <see cref="FieldLocator"/>,
/// so a path named by several conditions or steps is looked up once per event.
/// </summary>
internal sealed class PathTable
{
    private readonly Dictionary<string, FieldPath> _paths = new(StringComparer.Ordinal);

    public int Count => _paths.Count;

    /// <summary>The shared instance for <paramref name="path"/>'s text, with its slot assigned.</summary>
    public FieldPath Intern(FieldPath path)
    {
        if (_paths.TryGetValue(path.Text, out var existing)) return existing;
        path.Slot = _paths.Count;
        _paths.Add(path.Text, path);
        return path;
    }
}
