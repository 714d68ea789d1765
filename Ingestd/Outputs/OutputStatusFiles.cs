namespace Ingestd.Outputs;

/// <summary>The files an output keeps in <c>&lt;data_dir&gt;/outputs/</c>, in one place for the daemon and the CLI.</summary>
internal static class OutputStatusFiles
{
    public static string Directory(string dataDir) => Path.Combine(dataDir, "outputs");
    public static string ErrorPath(string outputsDir, string name) => Path.Combine(outputsDir, name + ".error");
    public static string DeadLetterPath(string outputsDir, string name) => Path.Combine(outputsDir, name + ".dead.ndjson");
}
