using Ingestd.Tests.Support;
using static Ingestd.Tests.Query.QueryHttp;

namespace Ingestd.Tests.Query;

/// <summary><c>ingestd query</c> answers what the HTTP API answers (the admin's view), from the data directory.</summary>
public class QueryCliTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    private int Port => fixture.Daemon.Port;

    public static TheoryData<string, string[]> SameQuestions => new()
    {
        { "/v1/query?service={m}&limit=3&order=desc", ["--service", "{m}", "--limit", "3", "--order", "desc"] },
        { "/v1/query?service={m}&q=two&level=error", ["--service", "{m}", "--q", "two", "--level", "error"] },
        { "/v1/query?service={m}&where=" + Uri.EscapeDataString("message == 'one'"), ["--service", "{m}", "--where", "message == 'one'"] },
        { "/v1/query/stats?service={m}&group_by=level&interval=1h", ["stats", "--service", "{m}", "--group-by", "level", "--interval", "1h"] },
    };

    [Theory]
    [MemberData(nameof(SameQuestions))]
    public void Ingestd_query_prints_what_the_api_answers(string path, string[] args)
    {
        string marker = "cli-" + Guid.NewGuid().ToString("N")[..12];
        Drain(Port, QueryFixture.KeyA, "tenant-a", marker,
            ("2024-07-01T00:00:00Z", "info", "one"), ("2024-07-01T00:00:01Z", "error", "two"), ("2024-07-01T00:00:02Z", "error", "three"),
            ("2024-07-01T00:00:03Z", "warn", "four"));
        var api = Get(Port, path.Replace("{m}", marker), QueryFixture.Admin);
        Assert.Equal(200, api.Status);
        var cli = IngestdCli.Run(["query", .. args.Select(a => a.Replace("{m}", marker)), "--data-dir", fixture.DataDir]);
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Equal(api.Body.TrimEnd('\n'), cli.Stdout.TrimEnd('\n'));
        if (api.Header("X-Next-Cursor") is { } next) Assert.Contains("next_cursor: " + next, cli.Stderr);
    }

    [Fact]
    public void Ingestd_query_refuses_a_bad_parameter_naming_it()
    {
        var cli = IngestdCli.Run("query", "--order", "sideways", "--data-dir", fixture.DataDir);
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("--order: expected asc or desc", cli.Stderr);
    }
}
