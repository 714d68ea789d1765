namespace Ingestd.Parsing.Processing;

/// <summary>A small growable byte buffer kept between events (a header field or the route list being rewritten).</summary>
internal sealed class FieldBuffer
{
    private byte[] _bytes = new byte[64];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, Length);

    public void Set(ReadOnlySpan<byte> value)
    {
        Length = 0;
        Append(value);
    }

    public void Append(ReadOnlySpan<byte> value)
    {
        if (_bytes.Length - Length < value.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + value.Length));
        value.CopyTo(_bytes.AsSpan(Length));
        Length += value.Length;
    }

    public void Clear() => Length = 0;
}
