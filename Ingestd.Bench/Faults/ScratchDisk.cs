using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace Ingestd.Bench.Faults;

/// <summary>
/// The small tmpfs a scenario's data directory lives on, and the faults done to it with real file system
/// operations: fill it until ENOSPC (then leave a few KiB, or free it all), use up its inodes, turn it read-only.
/// Needs root (mount). Everything is bounded: tmpfs is small, loops stop at ENOSPC or a hard count.
/// </summary>
internal sealed class ScratchDisk
{
    private const int FillChunk = 64 * 1024;
    private readonly string _mountPoint;
    private bool _readOnlyRemounted;
    private bool _readOnlyBind;

    public ScratchDisk(string mountPoint) => _mountPoint = mountPoint;

    public string MountPoint => _mountPoint;

    /// <summary>The daemon's data directory, inside the tmpfs.</summary>
    public string DataDir => Path.Combine(_mountPoint, "data");

    private string FillFile => Path.Combine(_mountPoint, "fill");
    private string InodeDir => Path.Combine(_mountPoint, "inodes");

    /// <summary><c>mount -t tmpfs -o size=…[,nr_inodes=…] tmpfs MOUNTPOINT</c>.</summary>
    public void Mount(string options)
    {
        Directory.CreateDirectory(_mountPoint);
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", _mountPoint);
        Directory.CreateDirectory(DataDir);
    }

    /// <summary>Undoes every mount this run put there (a read-only bind first); lazily if something still holds it.</summary>
    public void Unmount()
    {
        if (_readOnlyBind) TryRun("umount", DataDir);
        _readOnlyBind = false;
        if (TryRun("umount", _mountPoint) is not null) TryRun("umount", "-l", _mountPoint);
    }

    /// <summary>Writes zeros to a fill file until the file system says ENOSPC. Returns the bytes written.</summary>
    public long FillSpace()
    {
        long written = 0;
        var zeros = new byte[FillChunk];
        using var handle = File.OpenHandle(FillFile, FileMode.OpenOrCreate, FileAccess.Write);
        written = RandomAccess.GetLength(handle);
        // 4 MiB of tmpfs is 64 chunks; the bound only guards against a mount that is not what it should be.
        for (int i = 0; i < 100_000; i++)
        {
            try
            {
                RandomAccess.Write(handle, zeros, written);
                written += zeros.Length;
            }
            catch (IOException)
            {
                // ENOSPC, possibly after part of the chunk was written: the file's length says how much.
                written = RandomAccess.GetLength(handle);
                // Small writes take the last partial pages too, so the disk is really full.
                for (int j = 0; j < 64; j++)
                {
                    try { RandomAccess.Write(handle, zeros.AsSpan(0, 512), written); written += 512; }
                    catch (IOException) { written = RandomAccess.GetLength(handle); break; }
                }
                return written;
            }
        }
        return written;
    }

    /// <summary>Shrinks the fill file so that about <paramref name="bytes"/> become free (tmpfs frees whole pages).</summary>
    public void LeaveFree(long bytes)
    {
        using SafeFileHandle handle = File.OpenHandle(FillFile, FileMode.Open, FileAccess.Write);
        long length = RandomAccess.GetLength(handle);
        RandomAccess.SetLength(handle, Math.Max(0, length - bytes));
    }

    public void FreeSpace() => File.Delete(FillFile);

    /// <summary>Creates empty files until the file system has no inode left. Returns how many were created.</summary>
    public int FillInodes()
    {
        Directory.CreateDirectory(InodeDir);
        for (int i = 0; i < 100_000; i++)
        {
            try
            {
                File.OpenHandle(Path.Combine(InodeDir, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), FileMode.CreateNew, FileAccess.Write).Dispose();
            }
            catch (IOException)
            {
                return i;
            }
        }
        return 100_000;
    }

    public void FreeInodes() => Directory.Delete(InodeDir, recursive: true);

    /// <summary>
    /// <c>mount -o remount,ro</c>. Linux refuses that (EBUSY) while any file on the file system is open for
    /// writing, which the running daemon always has. Then a read-only bind mount is stacked on the data directory
    /// instead: every path operation (creating a segment, deleting one, creating a file) gets EROFS, while the
    /// already open segment keeps taking writes. Returns null after a real remount, else why it was refused.
    /// </summary>
    public string? MakeReadOnly()
    {
        string? refused = TryRun("mount", "-o", "remount,ro", _mountPoint);
        if (refused is null)
        {
            _readOnlyRemounted = true;
            return null;
        }
        Run("mount", "--bind", DataDir, DataDir);
        _readOnlyBind = true;
        Run("mount", "-o", "remount,bind,ro", DataDir);
        return refused.Trim();
    }

    /// <summary><c>mount -o remount,rw</c>, or removing the read-only bind mount.</summary>
    public void MakeWritable()
    {
        if (_readOnlyRemounted) Run("mount", "-o", "remount,rw", _mountPoint);
        if (_readOnlyBind) Run("umount", DataDir);
        _readOnlyRemounted = _readOnlyBind = false;
    }

    private static void Run(string file, params string[] args)
    {
        if (TryRun(file, args) is string error) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error}");
    }

    /// <summary>Runs a mount tool; null on success, else its error output.</summary>
    private static string? TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(10_000))
        {
            p.Kill();
            return "timed out";
        }
        p.WaitForExit();
        return p.ExitCode == 0 ? null : $"exit {p.ExitCode}: {stderr.Result.Split('\n')[0]}";
    }
}
