using System.Diagnostics;
using System.Text.Json;
using Ingestd.Tests.Support;

namespace Ingestd.Tests.Cli;

/// <summary><c>ingestd pipeline test</c> and <c>ingestd check-config</c>, run as the real program.</summary>
public class PipelineTestCommandTests
{
    private const string Config = """
        [[pipelines]]
        name = "payments"
        match = { dialect = "streams" }
        [[pipelines.steps]]
        type = "mask"
        paths = ["event.card"]
        action = "partial"
        [[pipelines.steps]]
        type = "filter"
        drop_if = "$.level == 'debug'"
        """;

    private static (int Code, string Stdout, string Stderr) Run(string stdin, params string[] args)
    {
        var psi = DaemonProcess.CommandStartInfo();
        psi.RedirectStandardInput = true;
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000))
        {
            p.Kill();
            throw new TimeoutException("ingestd did not finish");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Pipeline_test_prints_each_event_before_and_after_with_its_steps()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("ingestd.conf"), Config);
        var (code, stdout, stderr) = Run("""{"level":"info","event":{"card":"4111111111111111"}}""" + "\n", "pipeline", "test", "--config", dir.File("ingestd.conf"));
        Assert.True(code == 0, stderr);
        var line = JsonDocument.Parse(stdout.Trim()).RootElement;
        Assert.Equal("4111111111111111", line.GetProperty("before").GetProperty("event").GetProperty("card").GetString());
        Assert.Equal("****1111", line.GetProperty("after").GetProperty("event").GetProperty("card").GetString());
        Assert.Equal(["match/matched", "1-mask/applied", "2-filter/kept"],
            line.GetProperty("steps").EnumerateArray().Select(s => $"{s.GetProperty("step").GetString()}/{s.GetProperty("outcome").GetString()}"));
    }

    [Fact]
    public void Pipeline_test_says_which_step_dropped_an_event()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("ingestd.conf"), Config);
        var (code, stdout, stderr) = Run("""{"level":"debug"}""" + "\n", "pipeline", "test", "--config", dir.File("ingestd.conf"), "--dialect", "streams");
        Assert.True(code == 0, stderr);
        var line = JsonDocument.Parse(stdout.Trim()).RootElement;
        Assert.Equal(JsonValueKind.Null, line.GetProperty("after").ValueKind);
        Assert.Equal("payments/2-filter", line.GetProperty("dropped_by").GetString());
    }

    [Fact]
    public void Pipeline_test_validates_each_line_before_the_pipelines_see_it()
    {
        // The rewrite passes trust their input's strings (as the dialects validated them): a line with a bad escape or a
        // raw control character in a string must be reported here, not run.
        using var dir = new TempDir();
        File.WriteAllText(dir.File("ingestd.conf"), Config);
        string input = """{"level":"info","event":{"card":"41\x11"}}""" + "\n"
            + "{\"level\":\"info\",\"event\":{\"card\":\"41\u000111\"}}\n"
            + """{"level":"info","event":{"card":"4111111111111111"}}""" + "\n";
        var (code, stdout, stderr) = Run(input, "pipeline", "test", "--config", dir.File("ingestd.conf"));
        Assert.Equal(1, code);
        Assert.Contains("line 1: not JSON", stderr);
        Assert.Contains("line 2: not JSON", stderr);
        var line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var result = JsonDocument.Parse(line).RootElement;
        Assert.Equal(3, result.GetProperty("line").GetInt32());
        Assert.Equal("****1111", result.GetProperty("after").GetProperty("event").GetProperty("card").GetString());
    }

    [Fact]
    public void Check_config_explains_the_pipelines()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("ingestd.conf"), Config);
        var (code, stdout, _) = Run("", "check-config", "--config", dir.File("ingestd.conf"));
        Assert.Equal(0, code);
        Assert.Equal(["configuration ok: 0 tenants, 1 pipelines", "pipeline 'payments': events where dialect in [streams]; the first match wins",
            "  1-mask: mask", "  2-filter: filter"], stdout.TrimEnd().Split('\n'));
    }
}
