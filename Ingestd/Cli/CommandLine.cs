using System.Globalization;
using System.Net;
using Ingestd.Config;
using Ingestd.Parsing.Records;

namespace Ingestd.Cli;

/// <summary>Parses <c>ingestd</c>'s arguments (cold path: plain code, clear messages).</summary>
internal static class CommandLine
{
    public const string Usage =
        """
        Usage:
          ingestd [--config FILE] [--listen HOST:PORT]... [--data-dir DIR]
              Run the daemon. Without --config it runs on the embedded defaults
              (listen 127.0.0.1:8080, data_dir ./data, no tenants = open, with a warning).
          ingestd read [PATHS...] [--since T] [--until T] [--tenant X] [--stream X]
                       [--service X] [--level X] [--kind K] [--dialect D] [--follow]
                       [--config FILE] [--data-dir DIR]
              Print stored records as NDJSON. PATHS are segment files or directories
              (default: the data directory).
          ingestd verify [PATHS...] [--reindex] [--config FILE] [--data-dir DIR]
              Check every block's CRC32C and report record counts. --reindex also
              rebuilds the block index of closed segments where it is missing or stale.
          ingestd outputs [--config FILE] [--data-dir DIR]
              List the configured outputs with their cursor, lag and last error.
          ingestd outputs reset NAME (--to-seq N | --to-time T) [--config FILE] [--data-dir DIR]
              Move an output's cursor (the daemon must be stopped): it delivers again
              from sequence N, or from the first record received at or after T.
          ingestd query [stats|logs|metrics|traces|messages|events] [--PARAM VALUE]...
                        [--json] [--config FILE] [--data-dir DIR]
              The query API (GET /v1/query, /v1/query/stats, /v1/query/{type}) over the
              data directory, with the same parameters: --since, --until, --tenant,
              --stream, --dialect, --kind, --service, --level, --route, --q, --where,
              --limit, --order asc|desc, --cursor, --group_by, --interval. Prints what
              the API answers (NDJSON records; --json: {"records":[…],"next_cursor":…});
              the next page's cursor, if any, goes to stderr as "next_cursor: …".
          ingestd check-config --config FILE
              Load the configuration as the daemon would and explain its pipelines.
          ingestd pipeline test --config FILE [--tenant T] [--stream S] [--dialect D]
                                [--service X] [--level L] < events.ndjson
              Run the configured pipelines over JSON events (one per line) as if received
              with those record fields (default: tenant "-", dialect streams); print each
              event before and after, the steps that ran and why an event was dropped.
          ingestd --version | -V
          ingestd --help | -h | help

        Options:
          --config FILE       TOML configuration file (e.g. /etc/ingestd/ingestd.conf)
          --listen HOST:PORT  listen address, repeatable; replaces server.listen
                              (127.0.0.1:8080, [::1]:8080, localhost:8080, 0.0.0.0:0)
          --data-dir DIR      replaces server.data_dir
          --since T, --until T
                              RFC 3339 time (2024-05-31T15:30:45Z) or a duration ago (15m, 2h, 1d)
          --tenant, --stream, --service, --level X
                              only records with that envelope field
          --kind K            log, event, metric, deployment, message, trace
          --dialect D         astralog, streams, guardian, operyn, air
          --follow            keep printing records as they are written
          --reindex           verify: rebuild missing or stale segment indexes
          Options take their value as "--opt value" or "--opt=value"; "--" ends options.

        Configuration:
          Every key of the configuration file, with its default and a comment, is listed
          in ingestd.conf.example (shipped next to the binary / at the repository root).
          --listen and --data-dir beat the file.
        """;

    private static readonly string[] ServeOptions = ["--config", "--listen", "--data-dir"];
    private static readonly string[] ReadOptions =
        ["--config", "--data-dir", "--since", "--until", "--tenant", "--stream", "--service", "--level", "--kind", "--dialect", "--follow"];
    private static readonly string[] VerifyOptions = ["--config", "--data-dir", "--reindex"];
    private static readonly string[] CheckConfigOptions = ["--config"];
    private static readonly string[] PipelineTestOptions = ["--config", "--tenant", "--stream", "--dialect", "--service", "--level"];

    public static CliCommand Parse(string[] args) => Parse(args, DateTimeOffset.UtcNow);

    /// <summary>Parses with <paramref name="now"/> as the clock for relative <c>--since</c>/<c>--until</c>.</summary>
    public static CliCommand Parse(string[] args, DateTimeOffset now)
    {
        // --help and --version win wherever they appear (before "--"), like most tools.
        foreach (string arg in args)
        {
            if (arg == "--")
                break;
            if (arg is "--help" or "-h")
                return new CliCommand { Verb = CliVerb.Help };
            if (arg is "--version" or "-V")
                return new CliCommand { Verb = CliVerb.Version };
        }

        int start = 0;
        CliVerb verb = CliVerb.Serve;
        if (args.Length > 0 && !args[0].StartsWith('-'))
        {
            (verb, start) = args[0] switch
            {
                "read" => (CliVerb.Read, 1),
                "verify" => (CliVerb.Verify, 1),
                "outputs" => (CliVerb.Outputs, 1),
                "check-config" => (CliVerb.CheckConfig, 1),
                "query" => (CliVerb.Query, 1),
                "pipeline" when args.Length > 1 && args[1] == "test" => (CliVerb.PipelineTest, 2),
                "pipeline" => throw new CliUsageException("expected 'ingestd pipeline test' (see ingestd --help)"),
                "help" => (CliVerb.Help, 1),
                "version" => (CliVerb.Version, 1),
                _ => throw new CliUsageException($"unknown command '{args[0]}' (expected read, verify, query, outputs, check-config, pipeline test or help; see ingestd --help)"),
            };
            if (verb is CliVerb.Help or CliVerb.Version)
                return new CliCommand { Verb = verb };
            if (verb == CliVerb.Query)
                return ParseQuery(args, start);
        }

        string[] allowed = verb switch
        {
            CliVerb.Read => ReadOptions,
            CliVerb.Verify => VerifyOptions,
            CliVerb.Outputs => OutputsOptions,
            CliVerb.CheckConfig => CheckConfigOptions,
            CliVerb.PipelineTest => PipelineTestOptions,
            _ => ServeOptions,
        };
        string verbName = verb switch
        {
            CliVerb.Read => "ingestd read",
            CliVerb.Verify => "ingestd verify",
            CliVerb.Outputs => "ingestd outputs",
            CliVerb.CheckConfig => "ingestd check-config",
            CliVerb.PipelineTest => "ingestd pipeline test",
            _ => "ingestd",
        };

        var command = new CliCommand { Verb = verb };
        var listen = new List<string>();
        var paths = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool optionsEnded = false;

        for (int i = start; i < args.Length; i++)
        {
            string arg = args[i];
            if (optionsEnded || !arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (!optionsEnded && arg.StartsWith('-') && arg.Length > 1)
                    throw new CliUsageException($"unknown option '{arg}' (see ingestd --help)");
                if (verb is CliVerb.Serve or CliVerb.CheckConfig or CliVerb.PipelineTest)
                    throw new CliUsageException($"unexpected argument '{arg}' (see ingestd --help)");
                paths.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            int equals = arg.IndexOf('=');
            string name = equals < 0 ? arg : arg[..equals];
            string? inlineValue = equals < 0 ? null : arg[(equals + 1)..];

            if (!IsKnownOption(name))
                throw new CliUsageException($"unknown option '{name}' (see ingestd --help)");
            if (Array.IndexOf(allowed, name) < 0)
                throw new CliUsageException($"option '{name}' does not apply to '{verbName}' (see ingestd --help)");
            if (name != "--listen" && !seen.Add(name))
                throw new CliUsageException($"option '{name}' is given twice");

            if (name == "--follow")
            {
                if (inlineValue is not null)
                    throw new CliUsageException("option '--follow' takes no value");
                command = command with { Follow = true };
                continue;
            }
            if (name == "--reindex")
            {
                if (inlineValue is not null)
                    throw new CliUsageException("option '--reindex' takes no value");
                command = command with { Reindex = true };
                continue;
            }

            string value;
            if (inlineValue is not null)
            {
                value = inlineValue;
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                throw new CliUsageException($"option '{name}' needs a value");
            }
            if (value.Length == 0)
                throw new CliUsageException($"option '{name}' needs a non-empty value");

            command = name switch
            {
                "--config" => command with { ConfigPath = value },
                "--data-dir" => command with { DataDirOverride = value },
                "--listen" => AddListen(command, listen, value),
                "--since" => command with { Since = ParseTime(name, value, now) },
                "--until" => command with { Until = ParseTime(name, value, now) },
                "--tenant" => command with { Tenant = value },
                "--stream" => command with { Stream = value },
                "--service" => command with { Service = value },
                "--level" => command with { Level = value },
                "--kind" => command with { Kind = ParseName<RecordKind>(name, value) },
                "--dialect" => command with { Dialect = ParseName<Dialect>(name, value) },
                "--to-seq" => command with { ToSeq = long.TryParse(value, System.Globalization.NumberStyles.None, CultureInfo.InvariantCulture, out long seq) ? seq : throw new CliUsageException($"--to-seq: expected a sequence number (0 or more), got '{value}'") },
                "--to-time" => command with { ToTime = ParseTime(name, value, now) },
                _ => throw new CliUsageException($"unknown option '{name}'"),
            };
        }

        if (verb == CliVerb.Outputs) CheckOutputsArguments(command, paths);
        if (command.Since is { } since && command.Until is { } until && since > until)
            throw new CliUsageException("--since is later than --until");
        if (verb is CliVerb.CheckConfig or CliVerb.PipelineTest && command.ConfigPath is null)
            throw new CliUsageException($"'{verbName}' needs --config FILE");

        return command with { ListenOverrides = listen, Paths = paths };
    }

    private static readonly string[] QueryViews = ["stats", .. Ingestd.Query.AirView.Types];

    /// <summary>
    /// <c>ingestd query</c>: every <c>--name value</c> but --config, --data-dir and --json is a query parameter, passed on
    /// as it is (a dash in the name reads as an underscore), so the command checks them exactly as the API does.
    /// </summary>
    private static CliCommand ParseQuery(string[] args, int start)
    {
        var command = new CliCommand { Verb = CliVerb.Query };
        var parameters = new List<KeyValuePair<string, string>>();
        for (int i = start; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i != start || command.QueryView is not null)
                    throw new CliUsageException($"unexpected argument '{arg}' (see ingestd --help)");
                if (Array.IndexOf(QueryViews, arg) < 0)
                    throw new CliUsageException($"unknown query view '{arg}' (expected {string.Join(", ", QueryViews)})");
                command = command with { QueryView = arg };
                continue;
            }
            int equals = arg.IndexOf('=');
            string name = equals < 0 ? arg[2..] : arg[2..equals];
            if (name == "json")
            {
                command = command with { Json = true };
                continue;
            }
            string value;
            if (equals >= 0) value = arg[(equals + 1)..];
            else if (i + 1 < args.Length) value = args[++i];
            else throw new CliUsageException($"option '--{name}' needs a value");
            command = name switch
            {
                "config" => command with { ConfigPath = value },
                "data-dir" => command with { DataDirOverride = value },
                _ => command,
            };
            if (name is not ("config" or "data-dir")) parameters.Add(new(name.Replace('-', '_'), value));
        }
        return command with { QueryParameters = parameters };
    }

    /// <summary>Returns <paramref name="config"/> with the command line's --listen and --data-dir applied.</summary>
    public static IngestdConfig ApplyOverrides(IngestdConfig config, CliCommand cmd)
    {
        ServerConfig server = config.Server;
        if (cmd.ListenOverrides.Count > 0)
        {
            var endPoints = new List<IPEndPoint>(cmd.ListenOverrides.Count);
            foreach (string text in cmd.ListenOverrides)
            {
                if (ListenAddress.TryParse(text, out IPEndPoint endPoint) is string problem)
                    throw new CliUsageException($"--listen: {problem}");
                if (!endPoints.Contains(endPoint))
                    endPoints.Add(endPoint);
            }
            server = server with { Listen = endPoints };
        }
        if (cmd.DataDirOverride is not null)
            server = server with { DataDir = cmd.DataDirOverride };
        return ReferenceEquals(server, config.Server) ? config : config with { Server = server };
    }

    private static readonly string[] KnownOptions =
        ["--config", "--listen", "--data-dir", "--since", "--until", "--tenant", "--stream", "--service", "--level", "--kind", "--dialect", "--follow", "--to-seq", "--to-time", "--reindex"];

    private static readonly string[] OutputsOptions = ["--config", "--data-dir", "--to-seq", "--to-time"];

    // "outputs" alone lists; "outputs reset NAME" needs exactly one target.
    private static void CheckOutputsArguments(CliCommand command, List<string> args)
    {
        bool hasTarget = command.ToSeq is not null || command.ToTime is not null;
        if (args.Count == 0)
        {
            if (hasTarget) throw new CliUsageException("--to-seq and --to-time go with 'ingestd outputs reset NAME'");
            return;
        }
        if (args[0] != "reset") throw new CliUsageException($"unknown outputs command '{args[0]}' (expected reset)");
        if (args.Count != 2) throw new CliUsageException("usage: ingestd outputs reset NAME (--to-seq N | --to-time T)");
        if (command.ToSeq is not null == command.ToTime is not null) throw new CliUsageException("outputs reset: give exactly one of --to-seq N, --to-time T");
    }

    private static bool IsKnownOption(string name) => Array.IndexOf(KnownOptions, name) >= 0;

    private static CliCommand AddListen(CliCommand command, List<string> listen, string value)
    {
        // Checked here so a typo fails before anything starts.
        if (ListenAddress.TryParse(value, out _) is string problem)
            throw new CliUsageException($"--listen: {problem}");
        listen.Add(value);
        return command;
    }

    /// <summary>RFC 3339 / ISO 8601 instant, or a duration meaning "that long before now" (as the query API reads them).</summary>
    private static DateTimeOffset ParseTime(string option, string value, DateTimeOffset now)
    {
        if (Ingestd.Query.QueryTime.TryParse(value, now, out DateTimeOffset instant))
            return instant;
        throw new CliUsageException(
            $"{option}: expected an RFC 3339 time like 2024-05-31T15:30:45Z or a duration ago like 15m, 2h, 1d; got '{value}'");
    }

    /// <summary>Accepts an enum member's name, any case (not its number, not Unknown); returns it lower-case.</summary>
    private static string ParseName<TEnum>(string option, string value) where TEnum : struct, Enum
    {
        var names = new List<string>();
        foreach (TEnum member in Enum.GetValues<TEnum>())
        {
            string name = member.ToString().ToLowerInvariant();
            if (name == "unknown")
                continue;
            if (name.Equals(value, StringComparison.OrdinalIgnoreCase))
                return name;
            names.Add(name);
        }
        throw new CliUsageException($"{option}: expected one of {string.Join(", ", names)}; got '{value}'");
    }
}

/// <summary>The command line is wrong; the message says what, for printing with the usage hint.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
