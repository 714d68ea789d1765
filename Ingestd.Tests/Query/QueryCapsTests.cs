using System.Text.Json;
using Ingestd.Tests.Support;
using static Ingestd.Tests.Query.QueryHttp;

namespace Ingestd.Tests.Query;

/// <summary><c>limits.query_max_records</c> and <c>query_max_bytes</c>: a limit over the cap is refused, a full answer is cut with a cursor.</summary>
public class QueryByteCapTests : IDisposable
{
    private readonly TempDir _dir = new("ingestd-querycap");
    private readonly DaemonProcess _daemon;

    public QueryByteCapTests() => _daemon = DaemonProcess.Start(_dir.File("data"), "[limits]\nquery_max_records = 20\nquery_max_bytes = 4096\n");

    public void Dispose()
    {
        _daemon.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_limit_over_query_max_records_gets_400()
    {
        var reply = Get(_daemon.Port, "/v1/query?limit=21", null);
        Assert.Equal(400, reply.Status);
        Assert.Contains("limits.query_max_records (20)", reply.Body);
    }

    [Fact]
    public void An_answer_that_reaches_query_max_bytes_is_cut_short_with_a_cursor_that_goes_on()
    {
        Drain(_daemon.Port, "", "org-cap", "svc", Enumerable.Range(0, 20).Select(i => ("2024-06-01T00:00:00Z", "info", $"m{i:D2}-" + new string('x', 300))).ToArray());
        var first = Get(_daemon.Port, "/v1/query?limit=20", null, ("Accept", "application/json"));
        var root = JsonDocument.Parse(first.Body).RootElement;
        Assert.Equal("max_bytes", root.GetProperty("truncated").GetString());
        int got = root.GetProperty("records").GetArrayLength();
        Assert.InRange(got, 1, 19);
        Assert.InRange(first.Body.Length, 4096, 4096 + 1024); // stops at the first record that reaches the cap

        var rest = Records(Get(_daemon.Port, "/v1/query?limit=20&cursor=" + root.GetProperty("next_cursor").GetString(), null));
        Assert.Equal(got, rest[0].GetProperty("seq").GetInt64());
    }
}

/// <summary><c>limits.query_max_time</c>: a scan that runs out of time answers what it found with a cursor; paging on finds the rest.</summary>
public class QueryTimeCapTests : IDisposable
{
    private readonly TempDir _dir = new("ingestd-querytime");
    private readonly DaemonProcess _daemon;

    // Small blocks, so a scan is many blocks long; 1 ms is far less than reading them all takes.
    public QueryTimeCapTests() => _daemon = DaemonProcess.Start(_dir.File("data"), "[storage]\nblock_max_bytes = 4096\n[limits]\nquery_max_time = \"1ms\"\n");

    public void Dispose()
    {
        _daemon.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_scan_over_query_max_time_is_cut_short_and_its_cursor_finds_the_rest()
    {
        // About 300 blocks of 4 KiB: reading them all takes far longer than 1 ms on any machine.
        for (int i = 0; i < 50; i++)
            Drain(_daemon.Port, "", "org-time", "svc", Enumerable.Range(0, 100).Select(j => ("2024-06-01T00:00:00Z", "info", $"m{i * 100 + j}-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"))).ToArray());

        var truncations = new List<string?>();
        var sequences = new List<long>();
        string? cursor = null;
        for (int page = 0; page < 5000; page++)
        {
            var reply = Get(_daemon.Port, "/v1/query?q=m&limit=1000" + (cursor is null ? "" : "&cursor=" + cursor), null);
            sequences.AddRange(Records(reply).Select(r => r.GetProperty("seq").GetInt64()));
            truncations.Add(reply.Header("X-Truncated"));
            cursor = reply.Header("X-Next-Cursor");
            if (cursor is null) break;
        }
        Assert.Contains("max_time", truncations);
        Assert.Null(cursor);
        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), sequences);
    }

    [Fact]
    public void A_stats_scan_over_query_max_time_answers_the_counts_so_far_marked_max_time()
    {
        for (int i = 0; i < 20; i++)
            Drain(_daemon.Port, "", "org-time", "svc", Enumerable.Range(0, 100).Select(j => ("2024-06-01T00:00:00Z", "info", $"s{i * 100 + j}-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"))).ToArray());
        var reply = Get(_daemon.Port, "/v1/query/stats?group_by=level&interval=1h", null);
        Assert.Equal(200, reply.Status);
        var root = System.Text.Json.JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("max_time", root.GetProperty("truncated").GetString());
        long counted = root.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("counts").GetProperty("info").GetInt64());
        Assert.InRange(counted, 1, 1999);
    }
}
