namespace Ingestd.Storage;

/// <summary>Maps an I/O exception to a <see cref="StorageErrorKind"/>.</summary>
internal static class StorageErrors
{
    // On Unix, .NET puts the errno in the IOException's HResult.
    private const int ENOSPC = 28;
    private const int EROFS = 30;
    private const int EDQUOT = 122;

    public static StorageErrorKind Classify(Exception e) => e.HResult switch
    {
        ENOSPC or EDQUOT => StorageErrorKind.DiskFull,
        EROFS => StorageErrorKind.ReadOnly,
        _ => StorageErrorKind.Io,
    };

    public static string Label(StorageErrorKind kind) => kind switch
    {
        StorageErrorKind.DiskFull => "disk_full",
        StorageErrorKind.ReadOnly => "read_only",
        StorageErrorKind.Fsync => "fsync",
        _ => "io",
    };
}
