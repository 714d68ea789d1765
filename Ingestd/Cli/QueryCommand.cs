using System.Buffers;
using Ingestd.Config;
using Ingestd.Query;

namespace Ingestd.Cli;

/// <summary>
/// <c>ingestd query</c>: the query API's answer, computed from the data directory on this machine with the same
/// parameters, the same checks and the same writer, so both print the same bytes. Reads every tenant (like
/// <c>ingestd read</c>, it needs access to the files, not a key). Exit 0; 2 for a bad parameter.
/// </summary>
internal static class QueryCommand
{
    public static int Run(IngestdConfig config, CliCommand command, Stream stdout, TextWriter stderr)
    {
        var view = command.QueryView switch
        {
            null => QueryView.Records,
            "stats" => QueryView.Stats,
            _ => QueryView.Air,
        };
        var limits = QueryLimits.From(config.Limits);
        string dataDir = Path.GetFullPath(config.Server.DataDir);
        if (!Directory.Exists(dataDir))
        {
            stderr.WriteLine($"ingestd query: {dataDir}: no such directory");
            return 1;
        }
        QueryRequest request;
        try
        {
            request = QueryParameters.Parse(command.QueryParameters, view, onlyTenant: null, limits, DateTimeOffset.UtcNow);
            if (view == QueryView.Air) AirView.TryRestrict(request, command.QueryView!, out request);
        }
        catch (QueryParameterException e)
        {
            stderr.WriteLine($"ingestd query: --{e.Parameter}: {e.Problem}");
            return 2;
        }

        var output = new ArrayBufferWriter<byte>(64 * 1024);
        var query = new SegmentQuery(dataDir, request, limits, message => stderr.WriteLine("ingestd query: " + message));
        QueryOutcome outcome;
        if (view == QueryView.Stats)
        {
            var stats = new StatsAnswer(request.GroupBy, request.Interval);
            outcome = query.RunAll(stats);
            stats.WriteTo(output, request.Interval, outcome);
            output.Write("\n"u8);
        }
        else
        {
            var format = view == QueryView.Air ? AnswerFormat.AirEntries : command.Json ? AnswerFormat.Json : AnswerFormat.Ndjson;
            using (var answer = new RecordAnswer(output, format, limits.MaxBytes))
            {
                outcome = query.Run(answer);
                answer.Finish(outcome);
            }
            if (format != AnswerFormat.Ndjson) output.Write("\n"u8);
        }
        stdout.Write(output.WrittenSpan);
        stdout.Flush();
        if (outcome.Next is { } next) stderr.WriteLine($"next_cursor: {next.Encode()}");
        if (outcome.Truncated is { } why) stderr.WriteLine($"truncated: {why}");
        return 0;
    }
}
