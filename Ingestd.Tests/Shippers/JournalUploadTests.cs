using System.Text;
using System.Text.Json;
using Ingestd.Tests.Dialects;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Shippers;

/// <summary>
/// systemd-journal-upload (Debian systemd-journal-remote, systemd 252) uploading a journal directory to /upload.
/// No systemd runs here, so the journal file is written by systemd-journal-remote from an export-format file.
/// </summary>
public class JournalUploadTests(ShipperFixture fixture) : IClassFixture<ShipperFixture>
{
    private const string Remote = "/lib/systemd/systemd-journal-remote";
    private const string Upload = "/lib/systemd/systemd-journal-upload";
    private const long BaseMicros = 1_735_689_600_000_000;

    private static byte[] Export(string tag, int count)
    {
        var ms = new MemoryStream();
        void Line(string s) => ms.Write(Encoding.UTF8.GetBytes(s + "\n"));
        for (int i = 0; i < count; i++)
        {
            Line($"__REALTIME_TIMESTAMP={BaseMicros + i * 1000L}");
            Line($"__MONOTONIC_TIMESTAMP={1000 + i}");
            Line("_BOOT_ID=0123456789abcdef0123456789abcdef");
            Line($"MESSAGE={tag}-{i}");
            Line($"PRIORITY={i % 8}");
            Line(i % 2 == 0 ? "_SYSTEMD_UNIT=demo.service" : "SYSLOG_IDENTIFIER=demo-tool");
            ms.Write(JournalExportParserTests.BinaryField("BLOB", [0x00, 0xFF, (byte)i, 0x0A]));
            Line("");
        }
        return ms.ToArray();
    }

    [Fact]
    public void Journal_upload_stores_every_entry_once_with_level_service_time_and_binary_fields()
    {
        const int count = 100;
        string tag = "journal-" + Guid.NewGuid().ToString("N")[..8];
        using var dir = new TempDir();
        var journalDir = dir.File("journal");
        Directory.CreateDirectory(journalDir);
        var export = dir.File("export.txt");
        File.WriteAllBytes(export, Export(tag, count));
        var made = ExternalProcess.Run("/bin/sh", ["-c", $"{Remote} --output={journalDir}/upload.journal - < {export}"]);
        Assert.True(made.ExitCode == 0, $"journal-remote failed:\n{made.Stderr}");

        var run = ExternalProcess.Run(Upload, [$"--url=http://user:tok-ship@127.0.0.1:{fixture.Daemon.Port}", $"--directory={journalDir}",
            $"--save-state={dir.File("state")}", "--follow=no"]);
        Assert.True(run.ExitCode == 0, $"journal-upload failed ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");

        var stored = fixture.Records("journal").Where(r => r.GetProperty("event").GetProperty("MESSAGE").GetString()!.StartsWith(tag + "-", StringComparison.Ordinal)).ToList();
        var byMarker = stored.GroupBy(r => r.GetProperty("event").GetProperty("MESSAGE").GetString()!).ToDictionary(g => g.Key, g => g.ToList());
        string[] levels = ["fatal", "fatal", "fatal", "error", "warn", "info", "info", "debug"];
        for (int i = 0; i < count; i++)
        {
            Assert.True(byMarker.TryGetValue($"{tag}-{i}", out var copies), $"{tag}-{i} missing");
            var r = Assert.Single(copies);
            Assert.Equal("ship", r.GetProperty("tenant").GetString());
            Assert.Equal("journal", r.GetProperty("dialect").GetString());
            Assert.Equal(levels[i % 8], r.GetProperty("level").GetString());
            Assert.Equal(i % 2 == 0 ? "demo.service" : "demo-tool", r.GetProperty("service").GetString());
            var time = DateTimeOffset.FromUnixTimeMilliseconds(BaseMicros / 1000 + i).UtcDateTime;
            Assert.Equal($"{time:yyyy-MM-ddTHH:mm:ss.fff}000000Z", r.GetProperty("time").GetString());
            Assert.Equal([0, 255, i, 10], r.GetProperty("event").GetProperty("BLOB").EnumerateArray().Select(b => b.GetInt32()));
        }
        Assert.Equal(count, stored.Count);
    }

    [Fact]
    public void Upload_answers_202_ok_as_journal_remote_does()
    {
        var r = RawHttp.Once(fixture.Daemon.Port, "POST", "/upload", "MESSAGE=raw-upload\n\n",
            ("Content-Type", "application/vnd.fdo.journal"), ("Authorization", "Bearer tok-ship"));
        Assert.Equal(202, r.Status);
        Assert.Equal("OK.\n", r.Body);
    }

    [Fact]
    public void Upload_of_another_content_type_is_refused_with_415()
    {
        var r = RawHttp.Once(fixture.Daemon.Port, "POST", "/upload", "MESSAGE=x\n\n", ("Content-Type", "text/plain"), ("Authorization", "Bearer tok-ship"));
        Assert.Equal(415, r.Status);
    }
}
