using Ingestd.Parsing.Buffers;

namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>
/// The per-item results of one <c>_bulk</c> request, reusable across requests (call
/// <see cref="Reset"/> between them). Index names and ids are copied into one pooled arena so
/// the results do not depend on the request body staying alive and cost no allocation per item.
/// </summary>
internal sealed class BulkItemList : IDisposable
{
    private BulkItem[] _items = new BulkItem[64];
    private readonly PooledBuffer _text = new(4096);

    public int Count { get; private set; }

    /// <summary>True when at least one item failed: the response's top-level <c>errors</c>.</summary>
    public bool Errors { get; private set; }

    /// <summary>
    /// What action lines had besides their one action object (extra keys, trailing data, no closing brace):
    /// accepted, and answered with Elasticsearch 8.x's deprecation warnings.
    /// </summary>
    public ActionLineWarnings ActionLineWarnings { get; internal set; }

    public ref readonly BulkItem this[int i]
    {
        get
        {
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i));
            return ref _items[i];
        }
    }

    /// <summary>The index name of item <paramref name="i"/> (empty when it had none).</summary>
    public ReadOnlySpan<byte> Index(int i)
    {
        ref readonly var item = ref this[i];
        return item.HasIndex ? _text.WrittenSpan.Slice(item.IndexStart, item.IndexLength) : default;
    }

    /// <summary>The document id of item <paramref name="i"/> (empty when it had none).</summary>
    public ReadOnlySpan<byte> Id(int i)
    {
        ref readonly var item = ref this[i];
        return item.HasId ? _text.WrittenSpan.Slice(item.IdStart, item.IdLength) : default;
    }

    public void Reset()
    {
        Count = 0;
        Errors = false;
        ActionLineWarnings = ActionLineWarnings.None;
        _text.Reset();
        _text.TrimTo(1024 * 1024);
    }

    /// <summary>Copies <paramref name="text"/> into the arena; returns its offset there.</summary>
    internal int AddText(ReadOnlySpan<byte> text)
    {
        int start = _text.Length;
        _text.Write(text);
        return start;
    }

    /// <summary>Reserves <paramref name="length"/> bytes in the arena for the caller to fill; returns the span.</summary>
    internal Span<byte> ReserveText(int length, out int start)
    {
        start = _text.Length;
        var span = _text.GetSpan(length)[..length];
        _text.Advance(length);
        return span;
    }

    /// <summary>Text previously added at <paramref name="start"/>.</summary>
    internal ReadOnlySpan<byte> Text(int start, int length) => _text.WrittenSpan.Slice(start, length);

    /// <summary>Drops arena text from <paramref name="start"/> on (used to share a repeated index name).</summary>
    internal void TruncateText(int start) => _text.Truncate(start);

    internal void Add(in BulkItem item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = item;
        if (item.Failed) Errors = true;
    }

    public void Dispose() => _text.Dispose();
}
