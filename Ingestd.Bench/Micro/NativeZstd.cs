using System.Runtime.InteropServices;

namespace Ingestd.Bench.Micro;

/// <summary>
/// The system's libzstd (Debian: <c>libzstd.so.1</c>, which apt itself depends on), called through function pointers
/// looked up once: the alternative to ZstdSharp that <see cref="ZstdBench"/> measures (issue #14). It measured no
/// faster than ZstdSharp at level 1 on .NET 10, so the daemon does not use it (Ingestd.Bench/README.md).
/// <see cref="System"/> is null where the library does not load.
/// </summary>
internal sealed unsafe class NativeZstd
{
    public const string SystemLibrary = "libzstd.so.1";

    // The functions used here are zstd's stable API since 1.0; releases older than 1.4 (2019) are not tried.
    private const uint MinimumVersion = 1_04_00;

    private readonly delegate* unmanaged<nint> _createCCtx;
    private readonly delegate* unmanaged<nint, nuint> _freeCCtx;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint> _compressCCtx;
    private readonly delegate* unmanaged<nint> _createDCtx;
    private readonly delegate* unmanaged<nint, nuint> _freeDCtx;
    private readonly delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint> _decompressDCtx;
    private readonly delegate* unmanaged<nuint, uint> _isError;

    private NativeZstd(nint library)
    {
        _createCCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "ZSTD_createCCtx");
        _freeCCtx = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(library, "ZSTD_freeCCtx");
        _compressCCtx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, int, nuint>)NativeLibrary.GetExport(library, "ZSTD_compressCCtx");
        _createDCtx = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "ZSTD_createDCtx");
        _freeDCtx = (delegate* unmanaged<nint, nuint>)NativeLibrary.GetExport(library, "ZSTD_freeDCtx");
        _decompressDCtx = (delegate* unmanaged<nint, byte*, nuint, byte*, nuint, nuint>)NativeLibrary.GetExport(library, "ZSTD_decompressDCtx");
        _isError = (delegate* unmanaged<nuint, uint>)NativeLibrary.GetExport(library, "ZSTD_isError");
        Version = ((delegate* unmanaged<uint>)NativeLibrary.GetExport(library, "ZSTD_versionNumber"))();
    }

    /// <summary>The system library, or null when it cannot be loaded; resolved once per process.</summary>
    public static NativeZstd? System { get; } = TryLoad(SystemLibrary);

    /// <summary>The library's <c>ZSTD_versionNumber()</c>: major × 10000 + minor × 100 + patch.</summary>
    public uint Version { get; }

    /// <summary>Loads <paramref name="libraryName"/>; null when it is missing, lacks a function used here, or is too old.</summary>
    public static NativeZstd? TryLoad(string libraryName)
    {
        if (!NativeLibrary.TryLoad(libraryName, out nint library)) return null;
        try
        {
            var zstd = new NativeZstd(library);
            if (zstd.Version >= MinimumVersion) return zstd;
        }
        catch (EntryPointNotFoundException)
        {
            // Not a libzstd we can use; the library stays loaded (harmless, and it may be shared).
        }
        return null;
    }

    /// <summary>A compression context; one per thread, reused for every block. Freed on dispose, or by the finalizer
    /// when a reader is dropped without it (the contexts hold native memory the GC does not see).</summary>
    public Context CreateCompressor() => new(this, _createCCtx(), compressor: true);

    public Context CreateDecompressor() => new(this, _createDCtx(), compressor: false);

    /// <summary>One whole frame (content size in its header, as ZstdSharp writes it); -1 when it does not fit in <paramref name="dest"/>.</summary>
    public int Compress(Context cctx, ReadOnlySpan<byte> source, Span<byte> dest, int level)
    {
        nuint result;
        fixed (byte* src = source)
        fixed (byte* dst = dest)
            result = _compressCCtx(cctx.Pointer, dst, (nuint)dest.Length, src, (nuint)source.Length, level);
        return _isError(result) != 0 ? -1 : (int)result;
    }

    /// <summary>Decompresses whole frames; -1 when they are corrupt or hold more than <paramref name="dest"/> takes.</summary>
    public int Decompress(Context dctx, ReadOnlySpan<byte> source, Span<byte> dest)
    {
        nuint result;
        fixed (byte* src = source)
        fixed (byte* dst = dest)
            result = _decompressDCtx(dctx.Pointer, dst, (nuint)dest.Length, src, (nuint)source.Length);
        return _isError(result) != 0 ? -1 : (int)result;
    }

    /// <summary>A <c>ZSTD_CCtx*</c> or <c>ZSTD_DCtx*</c>.</summary>
    internal sealed class Context : SafeHandle
    {
        private readonly NativeZstd _library;
        private readonly bool _compressor;

        internal Context(NativeZstd library, nint pointer, bool compressor) : base(0, ownsHandle: true)
        {
            if (pointer == 0) throw new OutOfMemoryException(compressor ? "ZSTD_createCCtx failed" : "ZSTD_createDCtx failed");
            _library = library;
            _compressor = compressor;
            SetHandle(pointer);
        }

        public override bool IsInvalid => handle == 0;

        // Only the owning codec's thread uses a context, and it stops before disposing it, so no use can race the free.
        internal nint Pointer => handle;

        protected override bool ReleaseHandle()
        {
            if (_compressor) _library._freeCCtx(handle);
            else _library._freeDCtx(handle);
            return true;
        }
    }
}
