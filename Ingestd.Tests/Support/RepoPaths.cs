namespace Ingestd.Tests.Support;

public static class RepoPaths
{
    /// <summary>The repository root (the directory holding Ingestd.slnx), found from the test binaries.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ingestd.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("repository root (Ingestd.slnx) not found");
        }
    }

    /// <summary>Ingestd.Tests/clients: the npm test clients (installed by scripts/install-test-deps.sh).</summary>
    public static string Clients => Path.Combine(Root, "Ingestd.Tests", "clients");

    /// <summary>The NEST 7.17 client program (Ingestd.Tests/clients-dotnet/NestClient), built with the tests in the same configuration.</summary>
    public static string NestClient
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            return Path.Combine(Root, "Ingestd.Tests", "clients-dotnet", "NestClient", "bin", configuration, "net10.0", "NestClient.dll");
        }
    }
}
