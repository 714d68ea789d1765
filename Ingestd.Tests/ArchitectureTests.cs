using System.Text.RegularExpressions;
using Ingestd.Tests.Support;

namespace Ingestd.Tests;

/// <summary>
/// The folders of <c>Ingestd/</c> follow the data path and depend on each other one way. Each folder listed here may
/// use only the daemon folders named for it (<c>Ingestd.Parsing</c>, the BCL and the root namespace's diagnostics are
/// always allowed). Http, Endpoints and Subscriptions are not listed yet: they still use each other, until the
/// request dispatcher separates them (issue #11).
/// </summary>
public partial class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Ring"] = [],
        ["Storage"] = [],
        ["Transport"] = [],
        ["Config"] = [],
        ["Ingest"] = ["Ring", "Storage", "Config"],
        ["Idempotency"] = ["Storage"],
        ["Processing"] = ["Config", "Diagnostics"],
    };

    public static TheoryData<string> Folders => new(Allowed.Keys);

    [Theory]
    [MemberData(nameof(Folders))]
    public void Folder_uses_only_the_folders_below_it_on_the_data_path(string folder)
    {
        var used = new SortedSet<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "Ingestd", folder), "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match m in DaemonNamespace().Matches(File.ReadAllText(file)))
            {
                string target = m.Groups[1].Value;
                if (target != folder && target != "Parsing" && !Allowed[folder].Contains(target))
                    used.Add($"{Path.GetRelativePath(RepoPaths.Root, file)} uses Ingestd.{target}");
            }
        }
        Assert.Empty(used);
    }

    [Fact]
    public void Parsing_library_never_refers_to_the_daemon()
    {
        var used = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "Ingestd.Parsing"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
            foreach (Match m in DaemonNamespace().Matches(File.ReadAllText(file)))
                if (m.Groups[1].Value != "Parsing") used.Add($"{Path.GetRelativePath(RepoPaths.Root, file)} uses Ingestd.{m.Groups[1].Value}");
        }
        Assert.Empty(used);
    }

    // `using Ingestd.X;`, `using A = Ingestd.X.Y;` and fully qualified `Ingestd.X.Type` all name folder X.
    [GeneratedRegex(@"\bIngestd\.([A-Z][A-Za-z]*)\b")]
    private static partial Regex DaemonNamespace();
}
