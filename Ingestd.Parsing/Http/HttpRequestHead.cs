using System.Buffers;
using System.Text;

namespace Ingestd.Parsing.Http;

/// <summary>
/// The parsed request line and header fields of one request. One instance lives per
/// connection and is reused: the bytes of the method, target and fields are copied into
/// an owned array (so they stay valid after the pipe advances), which grows during
/// warm-up and is then reused without allocation.
/// </summary>
internal sealed class HttpRequestHead
{
    private struct Field
    {
        public int NameStart;
        public int NameLength;
        public int ValueStart;
        public int ValueLength;
    }

    private byte[] _data = new byte[1024];
    private int _dataLength;
    private Field[] _fields = new Field[16];
    private int _fieldCount;
    private byte[] _scratch = new byte[256];

    private int _methodStart, _methodLength;
    private int _targetStart, _targetLength;
    private int _pathStart, _pathLength;   // _pathLength < 0: absolute-form without a path, which means "/"
    private int _queryStart, _queryLength;

    public HttpRequestHead() => Reset();

    public HttpMethod Method { get; private set; }
    public ReadOnlySpan<byte> MethodBytes => _data.AsSpan(_methodStart, _methodLength);

    /// <summary>The request-target exactly as sent.</summary>
    public ReadOnlySpan<byte> Target => _data.AsSpan(_targetStart, _targetLength);

    /// <summary>The path without the query: "/p" for "/p?q" and for "http://host/p?q", "/" for "http://host", "*" for "OPTIONS *". Not percent-decoded.</summary>
    public ReadOnlySpan<byte> Path => _pathLength < 0 ? "/"u8 : _data.AsSpan(_pathStart, _pathLength);

    /// <summary>The bytes after the first '?' of the target, without it; empty when there is none.</summary>
    public ReadOnlySpan<byte> Query => _data.AsSpan(_queryStart, _queryLength);

    /// <summary>True for HTTP/1.1, false for HTTP/1.0.</summary>
    public bool IsHttp11 { get; internal set; }

    /// <summary>The Content-Length value, or -1 when the header is absent.</summary>
    public long ContentLength { get; internal set; }

    public bool IsChunked { get; internal set; }
    public bool HasBody => ContentLength > 0 || IsChunked;

    /// <summary>Whether the connection may carry another request after this one (RFC 9112 §9.3).</summary>
    public bool KeepAlive { get; internal set; }

    /// <summary>An HTTP/1.1 request with <c>Expect: 100-continue</c>: answer 100 before reading the body (RFC 9110 §10.1.1).</summary>
    public bool ExpectContinue { get; internal set; }

    public int HeaderCount => _fieldCount;

    /// <summary>True once the whole head has been parsed.</summary>
    public bool IsComplete => Phase == HeadPhase.Complete;

    public ReadOnlySpan<byte> ContentType => GetOrEmpty("content-type"u8);
    public ReadOnlySpan<byte> ContentEncoding => GetOrEmpty("content-encoding"u8);
    public ReadOnlySpan<byte> Authorization => GetOrEmpty("authorization"u8);

    // Parse progress and framing facts, owned by HttpRequestParser (it resumes where it stopped).
    internal HeadPhase Phase;
    internal long ResumeOffset;
    internal int RequestLineBytes;
    internal int HeaderBytes;
    internal int HostCount;
    internal bool ContentTypeSeen;
    internal bool TransferEncodingSeen;
    internal bool ConnectionClose;
    internal bool ConnectionKeepAlive;
    internal bool ExpectContinueSeen;

    public void Reset()
    {
        _dataLength = 0;
        _fieldCount = 0;
        _methodStart = _methodLength = 0;
        _targetStart = _targetLength = 0;
        _pathStart = _pathLength = 0;
        _queryStart = _queryLength = 0;
        Method = HttpMethod.Unknown;
        IsHttp11 = false;
        ContentLength = -1;
        IsChunked = false;
        KeepAlive = false;
        ExpectContinue = false;
        Phase = HeadPhase.RequestLine;
        ResumeOffset = 0;
        RequestLineBytes = 0;
        HeaderBytes = 0;
        HostCount = 0;
        ContentTypeSeen = false;
        TransferEncodingSeen = false;
        ConnectionClose = false;
        ConnectionKeepAlive = false;
        ExpectContinueSeen = false;
    }

    public ReadOnlySpan<byte> GetHeaderName(int index)
    {
        if ((uint)index >= (uint)_fieldCount) throw new ArgumentOutOfRangeException(nameof(index));
        ref readonly Field f = ref _fields[index];
        return _data.AsSpan(f.NameStart, f.NameLength);
    }

    public ReadOnlySpan<byte> GetHeaderValue(int index)
    {
        if ((uint)index >= (uint)_fieldCount) throw new ArgumentOutOfRangeException(nameof(index));
        ref readonly Field f = ref _fields[index];
        return _data.AsSpan(f.ValueStart, f.ValueLength);
    }

    /// <summary>The first field named <paramref name="name"/> (ASCII case-insensitive), its value without surrounding whitespace.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        var fields = _fields;
        for (int i = 0; i < _fieldCount; i++)
        {
            ref readonly Field f = ref fields[i];
            if (f.NameLength == name.Length && Ascii.EqualsIgnoreCase(_data.AsSpan(f.NameStart, f.NameLength), name))
            {
                value = _data.AsSpan(f.ValueStart, f.ValueLength);
                return true;
            }
        }
        value = default;
        return false;
    }

    private ReadOnlySpan<byte> GetOrEmpty(ReadOnlySpan<byte> name) => TryGetHeader(name, out var value) ? value : default;

    internal void SetRequestLine(HttpMethod method, ReadOnlySpan<byte> methodBytes, ReadOnlySpan<byte> target,
        int pathStart, int pathLength, int queryStart, int queryLength, bool isHttp11)
    {
        Method = method;
        IsHttp11 = isHttp11;
        _methodStart = Append(methodBytes);
        _methodLength = methodBytes.Length;
        _targetStart = Append(target);
        _targetLength = target.Length;
        _pathStart = _targetStart + pathStart;
        _pathLength = pathLength;
        _queryStart = _targetStart + queryStart;
        _queryLength = queryLength;
    }

    internal void AddHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (_fieldCount == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
        ref Field f = ref _fields[_fieldCount++];
        f.NameStart = Append(name);
        f.NameLength = name.Length;
        f.ValueStart = Append(value);
        f.ValueLength = value.Length;
    }

    /// <summary>Gives a line that straddles buffer segments one contiguous span (length already bounded by the limits).</summary>
    internal ReadOnlySpan<byte> CopyToScratch(in ReadOnlySequence<byte> line)
    {
        int length = checked((int)line.Length);
        if (_scratch.Length < length) _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        line.CopyTo(_scratch);
        return _scratch.AsSpan(0, length);
    }

    private int Append(ReadOnlySpan<byte> bytes)
    {
        int start = _dataLength;
        if (_data.Length - start < bytes.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, start + bytes.Length));
        }
        bytes.CopyTo(_data.AsSpan(start));
        _dataLength = start + bytes.Length;
        return start;
    }
}
