
namespace Ingestd.Parsing.Encoding;

/// <summary>
/// The content codings a <c>Content-Encoding</c> field lists, in the order they were applied
/// (RFC 9110 §8.4: first listed, first applied), <c>identity</c> left out. Holds up to
/// <see cref="MaxCount"/> codings in one value, so reading the header allocates nothing.
/// </summary>
internal readonly struct ContentCodings
{
    /// <summary>More than this many stacked codings is refused (no sender stacks more than two).</summary>
    public const int MaxCount = 4;

    private readonly uint _packed; // one byte per coding, first applied in the lowest byte

    private ContentCodings(uint packed, int count)
    {
        _packed = packed;
        Count = count;
    }

    public static ContentCodings Identity => default;

    public static ContentCodings Of(ContentCoding coding) => coding == ContentCoding.Identity ? default : new((uint)coding, 1);

    public int Count { get; }

    public bool IsIdentity => Count == 0;

    /// <summary>The <paramref name="index"/>th coding applied (0 = first listed).</summary>
    public ContentCoding this[int index] => (ContentCoding)(byte)(_packed >> (8 * index));

    /// <summary>The coding applied last (listed last), which a decoder removes first; identity when none.</summary>
    public ContentCoding Outermost => Count == 0 ? ContentCoding.Identity : this[Count - 1];

    /// <summary>This list with <paramref name="coding"/> applied after the others; the caller checks <see cref="MaxCount"/>.</summary>
    public ContentCodings Then(ContentCoding coding) => new(_packed | ((uint)coding << (8 * Count)), Count + 1);
}
