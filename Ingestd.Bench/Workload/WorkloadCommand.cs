using Ingestd.Bench.Compare;

namespace Ingestd.Bench.Workload;

/// <summary>
/// <c>Ingestd.Bench workload [--out DIR]</c>: writes the reference workload, by default over the
/// committed copy in the repository (<see cref="ReferenceWorkload.RelativeDirectory"/>), which is how
/// that copy is regenerated after the generator changes.
/// </summary>
internal static class WorkloadCommand
{
    public const string Usage = """
        Ingestd.Bench workload [--out DIR]
          writes drain-500.json, ndjson-500.ndjson and ndjson-500.ndjson.gz (deterministic, seed fixed)
          --out DIR   where to write (default: Ingestd.Bench/workload-data in this repository)
        """;

    public static int Run(string[] args)
    {
        string? outDir;
        try
        {
            if (args is ["-h" or "--help"])
            {
                Console.WriteLine(Usage);
                return 0;
            }
            // Options sit at even positions (each takes a value); reject unknown ones before CommandArgs asks for their value.
            for (int i = 0; i < args.Length; i += 2)
                if (args[i] != "--out") throw new ArgumentException($"unknown option '{args[i]}'");
            outDir = new CommandArgs(args).Get("--out");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"workload: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string dir = outDir is not null ? Path.GetFullPath(outDir) : ReferenceWorkload.DirectoryPath;
        foreach (var path in WorkloadGenerator.WriteTo(dir))
            Console.WriteLine($"{path}  {new FileInfo(path).Length:N0} bytes");
        return 0;
    }
}
