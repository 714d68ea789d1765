using System.Diagnostics;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Service;

/// <summary>scripts/install.sh into a staging root (no systemd needed), and the unit file's contract.</summary>
public class InstallScriptTests
{
    private static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ingestd.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("repository root");
        }
    }

    private static (int Code, string Output) Bash(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(120_000));
        return (p.ExitCode, output);
    }

    [Fact]
    public void Install_is_idempotent_keeps_an_edited_config_and_uninstalls()
    {
        using var root = new TempDir();
        var binary = Path.Combine(AppContext.BaseDirectory, "ingestd");
        var first = Bash("scripts/install.sh", "--root", root.Path, "--binary", binary);
        Assert.True(first.Code == 0, first.Output);
        Assert.True(File.Exists(root.File("usr/local/bin/ingestd")));
        Assert.True(File.Exists(root.File("etc/systemd/system/ingestd.service")));
        var conf = root.File("etc/ingestd/ingestd.conf");
        Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot, "ingestd.conf.example")), File.ReadAllText(conf));

        File.AppendAllText(conf, "\n# edited by the operator\n");
        var second = Bash("scripts/install.sh", "--root", root.Path, "--binary", binary);
        Assert.True(second.Code == 0, second.Output);
        Assert.EndsWith("# edited by the operator\n", File.ReadAllText(conf));

        var removed = Bash("scripts/install.sh", "--uninstall", "--root", root.Path);
        Assert.True(removed.Code == 0, removed.Output);
        Assert.False(File.Exists(root.File("usr/local/bin/ingestd")));
        Assert.False(File.Exists(root.File("etc/systemd/system/ingestd.service")));
        Assert.True(File.Exists(conf), "config survives an uninstall without --purge");
    }

    [Fact]
    public void Unit_is_notify_type_with_reload_limits_and_hardening()
    {
        var unit = File.ReadAllLines(Path.Combine(RepoRoot, "scripts", "ingestd.service"))
            .Where(l => l.Contains('=') && !l.TrimStart().StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToLookup(kv => kv[0].Trim(), kv => kv[1].Trim());
        Assert.Equal("notify", unit["Type"].Single());
        Assert.Equal("/bin/kill -HUP $MAINPID", unit["ExecReload"].Single());
        Assert.Equal("ingestd", unit["User"].Single());
        Assert.Equal("ingestd", unit["StateDirectory"].Single());
        Assert.Equal("ingestd", unit["ConfigurationDirectory"].Single());
        Assert.NotEmpty(unit["LimitNOFILE"]);
        Assert.Equal("yes", unit["NoNewPrivileges"].Single());
        Assert.Equal("strict", unit["ProtectSystem"].Single());
        Assert.Equal("yes", unit["ProtectHome"].Single());
        Assert.Equal("yes", unit["PrivateTmp"].Single());
        Assert.Equal("/var/lib/ingestd", unit["ReadWritePaths"].Single());
    }

    [Fact]
    public void Unit_passes_systemd_analyze_verify_when_available()
    {
        if (!File.Exists("/usr/bin/systemd-analyze")) return;
        using var root = new TempDir();
        // verify wants ExecStart's binary to exist: point a copy of the unit at the built one.
        var unit = File.ReadAllText(Path.Combine(RepoRoot, "scripts", "ingestd.service"))
            .Replace("/usr/local/bin/ingestd", Path.Combine(AppContext.BaseDirectory, "ingestd"));
        File.WriteAllText(root.File("ingestd.service"), unit);
        var (_, output) = Bash("-c", $"systemd-analyze verify {root.File("ingestd.service")} 2>&1 || true");
        // Outside a booted systemd, verify also complains about the environment; only lines about the unit's own
        // settings count (an unknown or mistyped key, an unparsable value).
        var problems = output.Split('\n').Where(l => l.Contains("ingestd.service:", StringComparison.Ordinal)
            && (l.Contains("Unknown", StringComparison.Ordinal) || l.Contains("Invalid", StringComparison.Ordinal) || l.Contains("Failed to parse", StringComparison.Ordinal))).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
