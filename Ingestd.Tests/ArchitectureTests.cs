using System.Text.RegularExpressions;
using Ingestd.Tests.Support;

namespace Ingestd.Tests;

/// <summary>
/// The folders of <c>Ingestd/</c> follow the data path and depend on each other one way
/// (Transport ← Http ← Routing → Endpoints → Ingest → Ring, Storage; Routing → Processing before the publish). Each folder listed here may use only the daemon
/// folders named for it (<c>Ingestd.Parsing</c>, Diagnostics and the BCL are always allowed). Server is the composition
/// root and Cli the command line: only Program (and Service, the systemd side of the running server) name them.
/// </summary>
public partial class ArchitectureTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Transport"] = [],
        ["Http"] = ["Transport", "Config"],
        ["Routing"] = ["Http", "Endpoints", "Ingest", "Processing", "Transport", "Config", "Subscriptions"],
        // Endpoints write HTTP responses but never see the connection or the loop that reads it.
        ["Endpoints"] = ["Http", "Ingest", "Storage", "Auth", "Config", "Idempotency", "Limits", "Subscriptions", "WebAssets", "Query", "Selection"],
        ["Subscriptions"] = ["Http", "Transport", "Selection"],
        ["Ingest"] = ["Ring", "Storage", "Config"],
        ["Ring"] = [],
        ["Storage"] = [],
        ["Idempotency"] = ["Storage"],
        // Processing: the pipelines between an endpoint's batch and the publish (issue #12).
        ["Processing"] = ["Config", "Diagnostics"],
        ["Auth"] = ["Config"],
        ["Limits"] = [],
        // Config holds an output's match as the shared filter's criteria (Selection names no other folder).
        ["Config"] = ["Selection"],
        ["Diagnostics"] = [],
        // Outputs read the stored records beside the writer: never in front of it, never the request path.
        ["Outputs"] = ["Storage", "Config", "Selection"],
        // Selection: the one record filter (outputs, queries, the live tail); Query: reading the segments back for the API and the CLI.
        ["Selection"] = [],
        ["Query"] = ["Storage", "Config", "Selection"],
        ["Cli"] = ["Config", "Storage", "Outputs", "Query", "Selection"],
        ["Service"] = ["Server"],
    };

    [Fact]
    public void Every_daemon_folder_has_its_place_in_the_table()
    {
        var unlisted = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(Path.Combine(RepoPaths.Root, "Ingestd")))
        {
            string name = Path.GetFileName(dir);
            if (name is "bin" or "obj" or "WebAssets" or "Server") continue;
            if (!Allowed.ContainsKey(name)) unlisted.Add(name);
        }
        Assert.Empty(unlisted);
    }

    [Fact]
    public void Only_the_program_names_the_server_and_the_command_line()
    {
        var used = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "Ingestd"), "*.cs", SearchOption.AllDirectories))
        {
            string folder = Path.GetRelativePath(Path.Combine(RepoPaths.Root, "Ingestd"), file).Split(Path.DirectorySeparatorChar)[0];
            if (folder is "Program.cs" or "Server" or "Cli" or "Service" or "bin" or "obj") continue;
            foreach (Match m in DaemonNamespace().Matches(File.ReadAllText(file)))
                if (m.Groups[1].Value is "Server" or "Cli") used.Add($"{Path.GetRelativePath(RepoPaths.Root, file)} uses Ingestd.{m.Groups[1].Value}");
        }
        Assert.Empty(used);
    }

    [Fact]
    public void The_output_machinery_never_names_a_concrete_destination()
    {
        var used = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "Ingestd", "Outputs"), "*.cs", SearchOption.TopDirectoryOnly))
            if (File.ReadAllText(file).Contains("Ingestd.Outputs.Destinations")) used.Add(Path.GetFileName(file));
        Assert.Empty(used);
    }

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
                if (target != folder && target is not ("Parsing" or "Diagnostics") && !Allowed[folder].Contains(target))
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
