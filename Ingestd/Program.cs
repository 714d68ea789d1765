using System.Runtime.InteropServices;
using Ingestd.Cli;
using Ingestd.Config;
using Ingestd.Diagnostics;
using Ingestd.Parsing.Processing;
using Ingestd.Processing;
using Ingestd.Server;
using Ingestd.Service;

namespace Ingestd;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        CliCommand command;
        try
        {
            command = CommandLine.Parse(args);
        }
        catch (CliUsageException e)
        {
            Console.Error.WriteLine($"ingestd: {e.Message}");
            Console.Error.WriteLine("Try 'ingestd --help'.");
            return 2;
        }

        switch (command.Verb)
        {
            case CliVerb.Help:
                Console.Out.Write(CommandLine.Usage);
                return 0;
            case CliVerb.Version:
                Console.Out.WriteLine($"ingestd {typeof(Program).Assembly.GetName().Version?.ToString(3)}");
                return 0;
        }

        IngestdConfig config;
        PipelineSet? pipelines = null;
        try
        {
            config = command.ConfigPath is null ? IngestdConfig.Defaults : ConfigLoader.LoadFile(command.ConfigPath);
            config = CommandLine.ApplyOverrides(config, command);
            // A pipeline that does not compile stops start-up, like any other config error.
            if (command.Verb is CliVerb.Serve or CliVerb.CheckConfig or CliVerb.PipelineTest) pipelines = PipelineCompiler.Compile(config);
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"ingestd: {e.Message}");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        switch (command.Verb)
        {
            case CliVerb.Read:
                using (StopOn(PosixSignal.SIGINT, cancel))
                using (StopOn(PosixSignal.SIGTERM, cancel))
                {
                    var stdout = new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 64 * 1024) { AutoFlush = false };
                    int rc = ReadCommand.Run(new ReadOptions
                    {
                        DataDir = config.Server.DataDir,
                        Paths = command.Paths,
                        Since = command.Since,
                        Until = command.Until,
                        Tenant = command.Tenant,
                        Stream = command.Stream,
                        Service = command.Service,
                        Level = command.Level,
                        Kind = command.Kind,
                        Dialect = command.Dialect,
                        Follow = command.Follow,
                    }, stdout, Console.Error, cancel.Token);
                    try { stdout.Flush(); } catch (IOException) { }
                    return rc;
                }
            case CliVerb.Query:
                using (var stdout = Console.OpenStandardOutput())
                    return QueryCommand.Run(config, command, stdout, Console.Error);
            case CliVerb.Outputs:
                return OutputsCommand.Run(config, command, Console.Out, Console.Error);
            case CliVerb.Verify:
                return VerifyCommand.Run(config.Server.DataDir, command.Paths, Console.Out, command.Reindex);
            case CliVerb.CheckConfig:
                PipelineTestCommand.Explain(config, pipelines!, Console.Out);
                return 0;
            case CliVerb.PipelineTest:
                return PipelineTestCommand.Run(pipelines!, new PipelineTestCommand.Fields(command.Tenant ?? "-", command.Stream ?? "",
                    command.Dialect is null ? Parsing.Records.Dialect.Streams : Enum.Parse<Parsing.Records.Dialect>(command.Dialect, ignoreCase: true),
                    command.Service ?? "", command.Level ?? ""), Console.In, Console.Out, Console.Error);
            default:
                return await ServeAsync(config, pipelines, command).ConfigureAwait(false);
        }
    }

    private static async Task<int> ServeAsync(IngestdConfig config, PipelineSet? pipelines, CliCommand command)
    {
        using var notifier = new SystemdNotifier();
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.TrySetResult(); });

        await using var server = new IngestServer(config, pipelines);
        bool started = false;

        // SIGHUP: re-read the file, keep the old config if the new one is bad (logged). Registered
        // before start so an early SIGHUP can never take the default action (terminate).
        bool hangupWasIgnored = Service.HangupSignal.StopIgnoringInherited();
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            if (!Volatile.Read(ref started))
            {
                Log.Warn("reload: SIGHUP during start-up ignored");
                return;
            }
            notifier.Reloading();
            try
            {
                if (command.ConfigPath is null) Log.Warn("reload: started without --config; nothing to re-read");
                else server.Reload(CommandLine.ApplyOverrides(ConfigLoader.LoadFile(command.ConfigPath), command));
            }
            catch (Exception e) when (e is ConfigException or Auth.JwtKeyException or IOException)
            {
                Log.Error($"reload rejected, keeping the running configuration: {e.Message}");
                // Certificates are files of the running configuration: a renewal hook's reload must not wait for a config fix.
                server.ReloadCertificates();
            }
            notifier.Ready(server.StatusLine(0));
        });
        if (hangupWasIgnored) Log.Info("SIGHUP was inherited as ignored (started under nohup?): it reloads the configuration all the same");

        try
        {
            server.Start();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException or Auth.JwtKeyException or Transport.TlsCertificateException)
        {
            Log.Error($"cannot start: {e.Message}");
            return 1;
        }
        Volatile.Write(ref started, true);
        // Announced only now, with every signal handler in place: scripts and tests wait for this line.
        foreach (var ep in server.BoundEndPoints) Log.Info($"listening on {ep}");
        foreach (var ep in server.TlsBoundEndPoints) Log.Info($"listening with TLS on {ep}");

        notifier.Ready(server.StatusLine(0));
        using var status = new ServiceHeartbeat(server, notifier);
        await stop.Task.ConfigureAwait(false);
        notifier.Stopping("draining: finishing requests, flushing the ring");
        await server.StopAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return 0;
    }

    private static PosixSignalRegistration StopOn(PosixSignal signal, CancellationTokenSource cancel)
        => PosixSignalRegistration.Create(signal, ctx => { ctx.Cancel = true; cancel.Cancel(); });
}
