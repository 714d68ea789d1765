using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>A JSON member a step sets: where, and whether an existing value is overwritten (<c>set</c>) or kept (<c>add</c>).</summary>
internal sealed record Assignment(FieldPath Path, bool Overwrite);

/// <summary>Per-event values and progress of a step's assignments: the value's JSON in <see cref="EventWork.Values"/>, and whether it was written.</summary>
internal sealed class AssignmentSlots
{
    private int[] _start = new int[8];
    private int[] _length = new int[8];
    private bool[] _done = new bool[8];

    public void Reset(int count)
    {
        if (count > _start.Length)
        {
            Array.Resize(ref _start, count);
            Array.Resize(ref _length, count);
            Array.Resize(ref _done, count);
        }
        Array.Clear(_done, 0, count);
        Array.Clear(_length, 0, count);
    }

    /// <summary>Sets assignment <paramref name="i"/>'s value; one left without a value (length 0) is skipped.</summary>
    public void SetValue(int i, int start, int length)
    {
        _start[i] = start;
        _length[i] = length;
    }

    public bool HasValue(int i) => _length[i] > 0;

    public int Start(int i) => _start[i];

    public int Length(int i) => _length[i];

    public bool IsDone(int i) => _done[i];

    public void MarkDone(int i) => _done[i] = true;

    /// <summary>Marks the first <paramref name="count"/> assignments not written again, keeping their values (for another pass over them).</summary>
    public void ClearDone(int count) => Array.Clear(_done, 0, count);
}
