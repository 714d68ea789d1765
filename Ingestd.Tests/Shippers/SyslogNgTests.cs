using System.Text;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Shippers;

/// <summary>syslog-ng (Debian's syslog-ng-core + syslog-ng-mod-http) shipping NDJSON batches to /api/ingest with its http() destination.</summary>
public class SyslogNgTests
{
    [Fact]
    public void Syslog_ng_http_destination_delivers_every_line_to_guardian()
    {
        using var dir = new TempDir();
        using var daemon = DaemonProcess.Start(dir.File("data"), "[[tenants]]\nid = \"org-sng\"\nkeys = [\"tok-sng\"]\n");
        const int count = 120;
        var input = dir.File("input.log");
        File.WriteAllLines(input, Enumerable.Range(0, count).Select(i => $"sng-line-{i} \"quoted\" and \\ backslash"));
        var config = dir.File("syslog-ng.conf");
        File.WriteAllText(config, $$"""
            @version: 3.38
            options { stats-freq(0); keep-hostname(yes); };
            source s_file { file("{{input}}" follow-freq(0.1) flags(no-parse)); };
            destination d_ingestd {
              http(
                url("http://127.0.0.1:{{daemon.Port}}/api/ingest")
                method("POST")
                headers("Content-Type: application/x-ndjson", "X-API-Key: tok-sng")
                body("$(format-json --scope none message=$MESSAGE program=syslog-ng-test level=info)")
                batch-lines(25)
                batch-timeout(200)
              );
            };
            log { source(s_file); destination(d_ingestd); };
            """);
        var log = new StringBuilder();
        using var syslogNg = ExternalProcess.Start("/usr/sbin/syslog-ng",
            ["-F", "--no-caps", "-f", config, "-R", dir.File("persist"), "-p", dir.File("pid"), "-c", dir.File("ctl")], log);
        try
        {
            List<string> messages = [];
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                messages = IngestdCli.ReadRecords(daemon.DataDir, "--tenant", "org-sng")
                    .Select(r => r.GetProperty("event").GetProperty("message").GetString()!).ToList();
                if (messages.Count >= count) break;
                Thread.Sleep(250);
            }
            Assert.True(messages.Count == count, $"got {messages.Count} of {count}; syslog-ng said:\n{log}");
            Assert.Equal(Enumerable.Range(0, count).Select(i => $"sng-line-{i} \"quoted\" and \\ backslash"), messages);

            // syslog-ng's own view: everything written, nothing dropped.
            var stats = ExternalProcess.Run("/usr/sbin/syslog-ng-ctl", ["stats", "-c", dir.File("ctl")]);
            var http = stats.Stdout.Split('\n').Where(l => l.StartsWith("dst.http", StringComparison.Ordinal)).ToList();
            Assert.Contains(http, l => l.EndsWith($";written;{count}", StringComparison.Ordinal) || l.EndsWith($";processed;{count}", StringComparison.Ordinal));
            Assert.DoesNotContain(http, l => l.Contains(";dropped;", StringComparison.Ordinal) && !l.EndsWith(";dropped;0", StringComparison.Ordinal));
        }
        finally
        {
            syslogNg.Kill();
            syslogNg.WaitForExit(10_000);
        }
    }
}
