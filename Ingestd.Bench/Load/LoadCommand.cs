using System.Globalization;

namespace Ingestd.Bench.Load;

/// <summary>The <c>load</c> verb: parses the command line, runs <see cref="LoadGenerator"/>, prints the report.</summary>
internal static class LoadCommand
{
    public const string Usage = """
        Ingestd.Bench load --url URL --body FILE [options]
          --url URL              http://HOST:PORT/PATH to POST to (e.g. http://127.0.0.1:8080/v1/drain);
                                 https://… runs every connection over TLS (1.2/1.3, ALPN http/1.1)
          --cacert FILE          for https: trust only the CA certificate(s) in this PEM file
          --body FILE            request body, sent as is (compress it yourself for --encoding)
          --header 'K: V'        extra header field; repeatable
          --encoding CODING      Content-Encoding header: gzip, br, zstd or deflate
          --content-type T       Content-Type (default application/json)
          --connections N        keep-alive connections (default 64)
          --duration D           measured time, e.g. 10s, 500ms, 2m (default 10s)
          --warmup D             load before measuring, not counted (default 0)
          --rate N               total requests/s (open model, latency corrected for
                                 coordinated omission); default: as fast as possible
          --events-per-request N events in one body (default: counted from the body)
          --server-pid PID       server process for CPU seconds (default: the local
                                 process listening on the URL's port)
          --timeout D            per-request timeout (default 30s)
          --json                 print JSON instead of the table
        """;

    public static int Run(string[] args)
    {
        LoadOptions options;
        bool json;
        try
        {
            (options, json) = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("load: " + e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var cts = new CancellationTokenSource();
        // Ctrl-C stops early and still prints what was measured.
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        LoadResult result;
        try
        {
            if (!json)
            {
                string pacing = options.Rate is double r ? $"{r.ToString("N0", CultureInfo.InvariantCulture)} req/s (open model)" : "closed loop";
                Console.WriteLine($"POST {options.Url}  {options.Body.Length:N0}-byte body  {options.Connections} connections  "
                    + $"{options.Duration.TotalSeconds:0.###} s (+{options.Warmup.TotalSeconds:0.###} s warm-up)  {pacing}");
            }
            result = LoadGenerator.RunAsync(options, cts.Token).GetAwaiter().GetResult();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine("load: " + e.Message);
            return 2;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        Console.Write(json ? LoadReport.ToJson(result) + "\n" : LoadReport.Format(result));
        return 0;
    }

    internal static (LoadOptions Options, bool Json) Parse(string[] args)
    {
        Uri? url = null;
        string? bodyPath = null;
        string? caPath = null;
        var headers = new List<KeyValuePair<string, string>>();
        string? encoding = null;
        string contentType = "application/json";
        int connections = 64, eventsPerRequest = 0;
        TimeSpan duration = TimeSpan.FromSeconds(10), warmup = TimeSpan.Zero, timeout = TimeSpan.FromSeconds(30);
        double? rate = null;
        int? pid = null;
        bool json = false;

        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "--url":
                    string text = Value();
                    if (!Uri.TryCreate(text, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                        throw new ArgumentException($"--url: '{text}' is not an http:// or https:// URL");
                    break;
                case "--body": bodyPath = Value(); break;
                case "--cacert": caPath = Value(); break;
                case "--header":
                    string field = Value();
                    int colon = field.IndexOf(':');
                    if (colon <= 0) throw new ArgumentException($"--header: '{field}' is not 'Name: value'");
                    headers.Add(new(field[..colon].Trim(), field[(colon + 1)..].Trim()));
                    break;
                case "--encoding":
                    encoding = Value().ToLowerInvariant();
                    if (encoding is not ("gzip" or "br" or "zstd" or "deflate")) throw new ArgumentException($"--encoding: '{encoding}' is not gzip, br, zstd or deflate");
                    break;
                case "--content-type": contentType = Value(); break;
                case "--connections": connections = PositiveInt(arg, Value()); break;
                case "--duration": duration = ParseDuration(arg, Value()); break;
                case "--warmup": warmup = ParseDuration(arg, Value(), allowZero: true); break;
                case "--timeout": timeout = ParseDuration(arg, Value()); break;
                case "--rate":
                    string rateText = Value();
                    if (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || !(r > 0) || !double.IsFinite(r))
                        throw new ArgumentException($"--rate: '{rateText}' is not a positive number");
                    rate = r;
                    break;
                case "--events-per-request": eventsPerRequest = PositiveInt(arg, Value()); break;
                case "--server-pid": pid = PositiveInt(arg, Value()); break;
                case "--json": json = true; break;
                default: throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (url is null) throw new ArgumentException("--url is required");
        if (bodyPath is null) throw new ArgumentException("--body is required");
        byte[] body;
        try { body = File.ReadAllBytes(bodyPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ArgumentException($"--body: {e.Message}"); }
        WarnIfNotEncoded(body, encoding);
        var options = new LoadOptions
        {
            Url = url,
            CaCertificatePath = caPath,
            Body = body,
            Headers = headers,
            ContentEncoding = encoding,
            ContentType = contentType,
            Connections = connections,
            Duration = duration,
            Warmup = warmup,
            Rate = rate,
            EventsPerRequest = eventsPerRequest,
            ServerPid = pid,
            RequestTimeout = timeout,
        };
        return (options, json);
    }

    /// <summary><c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, or a bare number of seconds.</summary>
    internal static TimeSpan ParseDuration(string option, string text, bool allowZero = false)
    {
        var t = text.Trim();
        (string number, double unitSeconds) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (t[..^2], 0.001),
            _ when t.EndsWith('s') || t.EndsWith('S') => (t[..^1], 1.0),
            _ when t.EndsWith('m') || t.EndsWith('M') => (t[..^1], 60.0),
            _ when t.EndsWith('h') || t.EndsWith('H') => (t[..^1], 3600.0),
            _ => (t, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value)
            || value < 0 || (value == 0 && !allowZero) || value * unitSeconds > TimeSpan.MaxValue.TotalSeconds / 2)
            throw new ArgumentException($"{option}: '{text}' is not a duration like 10s, 500ms or 2m");
        return TimeSpan.FromSeconds(value * unitSeconds);
    }

    private static int PositiveInt(string option, string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"{option}: '{text}' is not a positive integer");

    // The body is sent as given; a plain file with --encoding would only earn 400s from the server.
    private static void WarnIfNotEncoded(byte[] body, string? encoding)
    {
        bool gzip = body.Length >= 2 && body[0] == 0x1F && body[1] == 0x8B;
        bool zstd = body.Length >= 4 && body[0] == 0x28 && body[1] == 0xB5 && body[2] == 0x2F && body[3] == 0xFD;
        if ((encoding == "gzip" && !gzip) || (encoding == "zstd" && !zstd))
            Console.Error.WriteLine($"load: warning: --encoding {encoding} but the body is not {encoding}-compressed; it is sent as is");
    }
}
