using Ingestd.Parsing.Conditions;

namespace Ingestd.Parsing.Processing;

/// <summary>
/// What one step changes in an event's JSON, fixed at load: members to mask (by path, wildcards allowed) and
/// patterns to mask inside every string, members to remove, members to set. <see cref="JsonRewriter"/> applies it
/// in one read of the event.
/// </summary>
internal sealed class RewritePlan
{
    public FieldPath[] MaskPaths
    {
        get;
        init
        {
            field = value;
            MaskDepths = Depths(value);
            _maskNames = NameFilters(value);
            _startNames = StartNames();
        }
    } = [];

    public MaskPattern[] Patterns { get; init; } = [];
    public MaskAction? Action { get; init; }

    public FieldPath[] Removes
    {
        get;
        init
        {
            field = value;
            RemoveDepths = Depths(value);
            _removeNames = NameFilters(value);
            _startNames = StartNames();
        }
    } = [];

    public Assignment[] Assignments
    {
        get;
        init
        {
            field = value;
            var paths = new FieldPath[value.Length];
            for (int i = 0; i < value.Length; i++) paths[i] = value[i].Path;
            AssignmentDepths = Depths(paths);
            _assignedNames = NameFilters(paths);
            _startNames = StartNames();
        }
    } = [];

    // Per kind of path and per depth, a filter of the names the paths have at that depth (see NameBit): a member whose
    // name's bit is clear is named by none of them there, so the per-member loops over the paths are skipped for it. A
    // wildcard segment sets every bit, and so does a header field (no segments) at the top level; depths past the array
    // have no filter. Set with the paths, before the plan is shared.
    private ulong[] _maskNames = [];
    private ulong[] _removeNames = [];
    private ulong[] _assignedNames = [];

    // The top level of all three.
    private ulong _startNames;

    /// <summary>Whether a mask path may have <paramref name="name"/> as its segment at <paramref name="depth"/> (0 = top level); false is sure.</summary>
    public bool MayMaskName(int depth, ReadOnlySpan<byte> name) =>
        (uint)depth >= (uint)_maskNames.Length || (_maskNames[depth] & NameBit(name)) != 0;

    /// <summary>Whether an assignment's path may have <paramref name="name"/> as its segment at <paramref name="depth"/>; false is sure.</summary>
    public bool MayAssignName(int depth, ReadOnlySpan<byte> name) =>
        (uint)depth >= (uint)_assignedNames.Length || (_assignedNames[depth] & NameBit(name)) != 0;

    private static ulong[] NameFilters(FieldPath[] paths)
    {
        int depth = 0;
        foreach (var p in paths) depth = Math.Max(depth, Math.Max(1, p.Segments.Length));
        var bits = new ulong[depth];
        foreach (var p in paths)
        {
            if (p.Segments.Length == 0) bits[0] = ulong.MaxValue;
            for (int i = 0; i < p.Segments.Length; i++)
                bits[i] |= p.Segments[i] is [(byte)'*'] ? ulong.MaxValue : NameBit(p.Segments[i]);
        }
        return bits;
    }

    private ulong StartNames()
    {
        ulong bits = 0;
        foreach (var filter in (ulong[][])[_maskNames, _removeNames, _assignedNames])
            if (filter.Length > 0) bits |= filter[0];
        return bits;
    }

    // The segment counts of each kind of path, so a rewrite skips the per-member loops over paths none of which can be
    // at (or below) the member's depth. Set with the paths, before the plan is shared.
    public PathDepths MaskDepths { get; private init; }
    public PathDepths RemoveDepths { get; private init; }
    public PathDepths AssignmentDepths { get; private init; }

    private static PathDepths Depths(FieldPath[] paths)
    {
        var depths = new PathDepths();
        foreach (var p in paths) depths = depths.With(p.Segments.Length);
        return depths;
    }

    /// <summary>Set on a plan fused from several steps (see <see cref="RewriteRun"/>): which step each part belongs to.</summary>
    public FusedParts? Fused { get; init; }

    private RewritePlan? _spliceable;

    // Marks "the plan cannot be spliced" (a distinct instance, compared by reference).
    private static readonly RewritePlan NotSpliceable = new();

    /// <summary>
    /// A lone step's plan as a fused run of that one step (every part its own), for <see cref="JsonSplicer"/>; null when
    /// the splice does not take its shape (<see cref="JsonSplicer.Fits"/>) or the plan is fused already. Computed once
    /// (a benign race: every thread computes an equal plan).
    /// </summary>
    public RewritePlan? AsSpliceable
    {
        get
        {
            var known = _spliceable;
            if (known is null)
            {
                known = NotSpliceable;
                if (Fused is null)
                {
                    var maskOnly = new RewritePlan { MaskPaths = MaskPaths, Patterns = Patterns, Action = Action };
                    var single = new RewritePlan
                    {
                        MaskPaths = MaskPaths,
                        Patterns = Patterns,
                        Action = Action,
                        Removes = Removes,
                        Assignments = Assignments,
                        Fused = new FusedParts
                        {
                            RemoveOwners = new byte[Removes.Length],
                            AssignmentOwners = new byte[Assignments.Length],
                            MaskOwner = Action is null ? -1 : 0,
                            MaskOnly = maskOnly,
                        },
                    };
                    if (JsonSplicer.Fits(single)) known = single;
                }
                _spliceable = known;
            }
            return ReferenceEquals(known, NotSpliceable) ? null : known;
        }
    }

    /// <summary>
    /// Whether a path of the plan (to mask, remove or set) may start with the top-level member <paramref name="name"/>
    /// (unescaped): false means none does, so the member is only the patterns' concern. A filter by length and first
    /// and last byte: true may be a false positive, never a false negative.
    /// </summary>
    public bool MayStartPath(ReadOnlySpan<byte> name) => (_startNames & NameBit(name)) != 0;

    private static ulong NameBit(ReadOnlySpan<byte> name) =>
        1UL << ((name.Length * 7 + (name.IsEmpty ? 0 : name[0] + name[^1] * 3)) & 63);

    private RewritePlan? _withoutPatterns;
    private RewritePlan? _withoutMask;
    private byte[][]? _needles;

    // Marks "some pattern has no needle" (a distinct instance, compared by reference).
    private static readonly byte[][] Incomplete = new byte[0][];

    /// <summary>This plan with no patterns: what applies to text the patterns provably cannot match.</summary>
    public RewritePlan WithoutPatterns => _withoutPatterns ??= Patterns.Length == 0
        ? this
        : new RewritePlan { MaskPaths = MaskPaths, Action = Action, Removes = Removes, Assignments = Assignments, Fused = Fused };

    /// <summary>This plan with no mask (paths, patterns, action): a fused plan whose mask step's <c>if</c> did not hold.</summary>
    public RewritePlan WithoutMask => _withoutMask ??= Action is null && Patterns.Length == 0
        ? this
        : new RewritePlan { Removes = Removes, Assignments = Assignments, Fused = Fused };

    private byte[][]? _names;

    /// <summary>
    /// True when no member a mask or remove path names can be in <paramref name="raw"/> (JSON text): the last segment
    /// of each such path, in quotes, does not occur, and there is no <c>\u</c> escape (which could spell a name).
    /// False whenever unsure (a wildcard last segment, or one with characters another escape could write).
    /// </summary>
    public bool PathsCannotOccur(ReadOnlySpan<byte> raw) => PathsCannotOccur(raw, HasUnicodeEscape(raw));

    /// <summary>As <see cref="PathsCannotOccur(ReadOnlySpan{byte})"/>, told whether the text has a <c>\u</c> escape (see <see cref="HasUnicodeEscape"/>).</summary>
    public bool PathsCannotOccur(ReadOnlySpan<byte> raw, bool unicodeEscape)
    {
        var names = _names ??= ComputeNames();
        if (ReferenceEquals(names, Incomplete)) return false;
        if (names.Length == 0) return true;
        if (unicodeEscape) return false;
        foreach (var name in names)
            if (raw.IndexOf(name) >= 0) return false;
        return true;
    }

    // Each mask or remove path's last segment as a quoted JSON name; Incomplete when one cannot be searched for so.
    private byte[][] ComputeNames()
    {
        var names = new List<byte[]>();
        foreach (var paths in (FieldPath[][])[Action is null ? [] : MaskPaths, Removes])
            foreach (var path in paths)
            {
                var last = path.Segments[^1];
                if (last is [(byte)'*'] || last.AsSpan().IndexOfAny("\"\\/"u8) >= 0 || last.AsSpan().IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0)
                    return Incomplete;
                names.Add([(byte)'"', .. last, (byte)'"']);
            }
        return names.ToArray();
    }

    /// <summary>
    /// True when no pattern can match inside any string of <paramref name="raw"/> (JSON text, escapes not decoded):
    /// every pattern has a needle every match contains, none occurs, and there is no <c>\u</c> escape (which could
    /// spell one). Other JSON escapes only make quotes, backslashes, slashes and control characters, which no needle
    /// holds. False whenever unsure.
    /// </summary>
    public bool PatternsCannotMatch(ReadOnlySpan<byte> raw) => PatternsCannotMatch(raw, HasUnicodeEscape(raw));

    /// <summary>As <see cref="PatternsCannotMatch(ReadOnlySpan{byte})"/>, told whether the text may have a <c>\u</c> escape.</summary>
    public bool PatternsCannotMatch(ReadOnlySpan<byte> raw, bool unicodeEscape)
    {
        var needles = _needles ??= ComputeNeedles();
        if (ReferenceEquals(needles, Incomplete) || unicodeEscape) return false;
        foreach (var needle in needles)
            if (raw.IndexOf(needle) >= 0) return false;
        return true;
    }

    /// <summary>Whether JSON text has a <c>\u</c> escape (or a backslash before a <c>u</c>: unsure counts as yes).</summary>
    public static bool HasUnicodeEscape(ReadOnlySpan<byte> raw) => raw.IndexOf("\\u"u8) >= 0;

    // Computed once, on first use (a benign race: every thread computes equal arrays).
    private byte[][] ComputeNeedles()
    {
        var needles = new byte[Patterns.Length][];
        for (int i = 0; i < Patterns.Length; i++)
        {
            if (Patterns[i].Needle is not { Length: > 0 } needle) return Incomplete;
            needles[i] = needle;
        }
        return needles;
    }
}

/// <summary>
/// Who owns each part of a fused plan: the step (its position in the run) of each removal and assignment, and of the
/// mask. Assignments of steps before the mask have their values written through it (<see cref="MaskOnly"/>), as the
/// mask would have seen them had the steps run one after another.
/// </summary>
internal sealed class FusedParts
{
    public required byte[] RemoveOwners { get; init; }
    public required byte[] AssignmentOwners { get; init; }

    /// <summary>The mask step's position in the run, or -1 when the run has no mask.</summary>
    public required int MaskOwner { get; init; }

    /// <summary>The mask alone (paths, patterns, action), for values written through it.</summary>
    public required RewritePlan MaskOnly { get; init; }
}

/// <summary>Which segment counts a plan's paths of one kind have (counts of 63 and more share one mark).</summary>
internal readonly struct PathDepths
{
    private readonly ulong _counts;

    private PathDepths(ulong counts, int max)
    {
        _counts = counts;
        Max = max;
    }

    /// <summary>The largest segment count (0: no path).</summary>
    public int Max { get; }

    public PathDepths With(int count) => new(_counts | 1UL << Math.Min(count, 63), Math.Max(Max, count));

    /// <summary>Whether some path may have exactly <paramref name="count"/> segments.</summary>
    public bool Has(int count) => (_counts & 1UL << Math.Min(count, 63)) != 0;
}
