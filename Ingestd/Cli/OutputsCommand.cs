using Ingestd.Config;
using Ingestd.Outputs;
using Ingestd.Parsing.Records;
using Ingestd.Storage;

namespace Ingestd.Cli;

/// <summary>
/// <c>ingestd outputs</c>: one line per output (configured, or with a cursor file) with its cursor, lag in events and
/// last error, from the files in <c>&lt;data_dir&gt;/outputs/</c> and the end of the segment log; safe beside a running
/// daemon. <c>ingestd outputs reset NAME --to-seq N | --to-time T</c> rewrites a cursor, with the daemon stopped.
/// </summary>
internal static class OutputsCommand
{
    public static int Run(IngestdConfig config, CliCommand command, TextWriter stdout, TextWriter stderr)
    {
        string dataDir = config.Server.DataDir;
        if (!Directory.Exists(dataDir))
        {
            stderr.WriteLine($"ingestd outputs: {dataDir}: no such directory");
            return 1;
        }
        return command.Paths.Count == 0 ? List(config, dataDir, stdout, stderr) : Reset(config, dataDir, command, stdout, stderr);
    }

    private static int List(IngestdConfig config, string dataDir, TextWriter stdout, TextWriter stderr)
    {
        string outputsDir = OutputStatusFiles.Directory(dataDir);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var output in config.Outputs) names.Add(output.Name);
        if (Directory.Exists(outputsDir))
            foreach (var path in Directory.EnumerateFiles(outputsDir, "*.cursor")) names.Add(Path.GetFileNameWithoutExtension(path));
        if (names.Count == 0)
        {
            stdout.WriteLine("no outputs configured and no cursors in " + outputsDir);
            return 0;
        }
        long end = LogEnd(dataDir, stderr);
        stdout.WriteLine($"{"OUTPUT",-20} {"TYPE",-14} {"STATE",-9} {"CURSOR",12} {"LAG",12}  LAST ERROR");
        foreach (var name in names)
        {
            var output = config.Outputs.FirstOrDefault(o => o.Name == name);
            string state = output is null ? "removed" : output.Enabled ? "enabled" : "disabled";
            long? cursor = OutputCursor.Load(OutputCursor.PathFor(outputsDir, name), out string? problem);
            string error = ReadError(outputsDir, name) ?? problem ?? "-";
            stdout.WriteLine($"{name,-20} {output?.Type ?? "-",-14} {state,-9} {(cursor is long c ? c.ToString() : "none"),12} "
                             + $"{(cursor is long d ? Math.Max(0, end - d).ToString() : "-"),12}  {error}");
        }
        return 0;
    }

    private static int Reset(IngestdConfig config, string dataDir, CliCommand command, TextWriter stdout, TextWriter stderr)
    {
        string name = command.Paths[1];
        string outputsDir = OutputStatusFiles.Directory(dataDir);
        string cursorPath = OutputCursor.PathFor(outputsDir, name);
        if (!config.Outputs.Any(o => o.Name == name) && !File.Exists(cursorPath))
        {
            stderr.WriteLine($"ingestd outputs reset: no output '{name}' in the configuration or in {outputsDir}");
            return 1;
        }
        // The daemon holds this lock while it runs (and its output would overwrite the cursor again).
        FileStream dirLock;
        try
        {
            dirLock = new FileStream(Path.Combine(dataDir, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            stderr.WriteLine($"ingestd outputs reset: {Path.GetFullPath(dataDir)} is in use by a running ingestd; stop it first (the running output would keep its own cursor)");
            return 1;
        }
        using (dirLock)
        {
            long next = command.ToSeq ?? FirstReceivedAtOrAfter(dataDir, command.ToTime!.Value, stderr);
            long? before = OutputCursor.Load(cursorPath, out _);
            OutputCursor.Save(cursorPath, next);
            stdout.WriteLine($"output {name}: cursor {(before is long b ? b.ToString() : "none")} -> {next}; it delivers from sequence {next} at the next start");
        }
        return 0;
    }

    private static string? ReadError(string outputsDir, string name)
    {
        try
        {
            return File.ReadAllText(OutputStatusFiles.ErrorPath(outputsDir, name)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The sequence after the newest stored record: after the newest segment's last record, or its first number when it is empty.</summary>
    private static long LogEnd(string dataDir, TextWriter stderr)
    {
        var segments = SegmentFormat.ListSegments(dataDir);
        if (segments.Count == 0) return 0;
        using var reader = new SegmentReader(m => stderr.WriteLine("ingestd outputs: " + m));
        long end = -1;
        reader.ReadFile(segments[^1], (long seq, in RecordView _) => end = seq + 1);
        if (end >= 0) return end;
        return SegmentFormat.TryParseFileName(Path.GetFileName(segments[^1]), out long first) ? first : 0;
    }

    /// <summary>The first sequence received at or after <paramref name="time"/>, or the log's end when there is none.</summary>
    private static long FirstReceivedAtOrAfter(string dataDir, DateTimeOffset time, TextWriter stderr)
    {
        long ns = (time.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
        long found = -1, end = 0;
        using var reader = new SegmentReader(m => stderr.WriteLine("ingestd outputs: " + m));
        reader.ReadFiles(SegmentFormat.ListSegments(dataDir), (long seq, in RecordView view) =>
        {
            if (found < 0 && view.ReceivedNs >= ns) found = seq;
            end = seq + 1;
        });
        return found >= 0 ? found : end;
    }
}
