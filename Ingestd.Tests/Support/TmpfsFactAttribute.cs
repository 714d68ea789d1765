using System.Diagnostics;

namespace Ingestd.Tests.Support;

/// <summary>
/// A test that needs a real small file system to fill up (tmpfs, mounted by the test): skipped, with the reason,
/// where the process is not root or may not mount (e.g. an unprivileged container).
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_unavailable = new(Probe);

    public TmpfsFactAttribute()
    {
        if (s_unavailable.Value is { } reason) Skip = "needs to mount a tmpfs: " + reason;
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        if (Environment.UserName != "root") return "not running as root";
        using var dir = new TempDir("ingestd-tmpfs-probe");
        try
        {
            using var mount = Tmpfs.Mount(dir.Path, "size=64k");
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }
}

/// <summary>A tmpfs mounted on a directory for the life of the object.</summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    /// <param name="options">mount -o options, e.g. <c>size=2m</c> or <c>size=2m,nr_inodes=8</c>.</param>
    public static Tmpfs Mount(string path, string options)
    {
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        return new Tmpfs(path);
    }

    /// <summary>Writes zeros into <paramref name="name"/> until the file system is full; returns the bytes written.</summary>
    public long Fill(string name = "filler")
    {
        long written = 0;
        var chunk = new byte[4096];
        using var f = new FileStream(System.IO.Path.Combine(Path, name), FileMode.Create, FileAccess.Write, FileShare.None, 1);
        try
        {
            while (true)
            {
                f.Write(chunk);
                written += chunk.Length;
            }
        }
        catch (IOException) { }
        return written;
    }

    public void Free(string name = "filler") => File.Delete(System.IO.Path.Combine(Path, name));

    public void Dispose()
    {
        try { Run("umount", "-l", Path); } catch (InvalidOperationException) { }
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {err.Trim()}");
    }
}
