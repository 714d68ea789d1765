using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Ingestd.Tests.Support;
using static Ingestd.Tests.Query.QueryHttp;

namespace Ingestd.Tests.Query;

/// <summary><c>GET /v1/query</c>: each parameter, paging, order and answer formats, against the real daemon's segment files.</summary>
public class QueryApiTests(QueryFixture fixture) : IClassFixture<QueryFixture>
{
    private int Port => fixture.Daemon.Port;

    private static string Marker() => "svc-" + Guid.NewGuid().ToString("N")[..12];

    private static string Message(JsonElement record) => record.GetProperty("event").GetProperty("message").GetString()!;

    [Fact]
    public void Since_and_until_select_event_times_from_since_up_to_but_not_including_until()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc,
            ("2024-01-01T00:00:00Z", "info", "day1"), ("2024-01-02T00:00:00Z", "info", "day2"), ("2024-01-03T00:00:00Z", "info", "day3"));
        var found = QueryRecords(Port, $"service={svc}&since=2024-01-02T00:00:00Z&until=2024-01-03T00:00:00Z");
        Assert.Equal(["day2"], found.Select(Message));
    }

    [Fact]
    public void Since_as_a_duration_means_that_long_before_now()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc,
            ("2024-01-01T00:00:00Z", "info", "old"), (DateTimeOffset.UtcNow.ToString("O"), "info", "recent"));
        Assert.Equal(["recent"], QueryRecords(Port, $"service={svc}&since=15m").Select(Message));
    }

    public static TheoryData<string, string[]> HeaderFilters => new()
    {
        { "level=error", ["b"] },
        { "level=error,warn", ["b", "c"] },
        { "tenant=tenant-a", ["a", "b", "c"] },
        { "dialect=astralog&kind=log", ["a", "b", "c"] },
        { "dialect=air", [] },
    };

    [Theory]
    [MemberData(nameof(HeaderFilters))]
    public void Header_filters_take_only_records_with_those_fields(string filter, string[] expected)
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc,
            ("2024-02-01T00:00:00Z", "info", "a"), ("2024-02-01T00:00:01Z", "error", "b"), ("2024-02-01T00:00:02Z", "warn", "c"));
        Assert.Equal(expected, QueryRecords(Port, $"service={svc}&{filter}").Select(Message));
    }

    [Fact]
    public void Q_takes_records_whose_event_contains_the_text()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc,
            ("2024-02-01T00:00:00Z", "info", "disk full on sda"), ("2024-02-01T00:00:01Z", "info", "all fine"));
        Assert.Equal(["disk full on sda"], QueryRecords(Port, $"service={svc}&q={Q("disk full")}").Select(Message));
    }

    [Fact]
    public void Where_takes_a_condition_in_the_pipeline_language()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc,
            ("2024-02-01T00:00:00Z", "info", "alpha"), ("2024-02-01T00:00:01Z", "error", "beta"), ("2024-02-01T00:00:02Z", "error", "gamma"));
        var found = QueryRecords(Port, $"service={svc}&where={Q("level == 'error' and starts_with(message, 'g')")}");
        Assert.Equal(["gamma"], found.Select(Message));
    }

    [Fact]
    public void Records_have_the_shape_ingestd_read_prints()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc, ("2024-02-01T00:00:00Z", "info", "shape"));
        var fromApi = Get(Port, $"/v1/query?service={svc}", QueryFixture.Admin).Body.Trim();
        var fromRead = IngestdCli.Run("read", "--data-dir", fixture.DataDir, "--service", svc).Stdout.Trim();
        Assert.Equal(fromRead, fromApi);
    }

    [Fact]
    public async Task Limit_and_cursor_page_through_every_record_once_while_new_ones_are_written()
    {
        string svc = Marker();
        for (int i = 0; i < 5; i++)
            Drain(Port, QueryFixture.KeyA, "tenant-a", svc, Enumerable.Range(0, 5).Select(j => ("2024-03-01T00:00:00Z", "info", $"first-{i * 5 + j}")).ToArray());

        var pages = new List<List<JsonElement>>();
        string? cursor = null;
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 10; i++) Drain(Port, QueryFixture.KeyB, "tenant-b", svc, ("2024-03-01T00:00:00Z", "info", $"later-{i}"));
        });
        for (int page = 0; page < 100; page++)
        {
            if (page == 2) await writer; // the first pages are read while the writer runs, the rest after it is done
            var reply = Get(Port, $"/v1/query?service={svc}&limit=7" + (cursor is null ? "" : "&cursor=" + cursor), QueryFixture.Admin);
            pages.Add(Records(reply));
            cursor = reply.Header("X-Next-Cursor");
            if (cursor is null) break;
        }
        await writer;

        Assert.True(pages.Count > 2);
        Assert.All(pages[..^1], p => Assert.Equal(7, p.Count));
        var sequences = pages.SelectMany(p => p).Select(r => r.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        var everything = IngestdCli.ReadRecords(fixture.DataDir, "--service", svc).Select(r => r.GetProperty("seq").GetInt64());
        Assert.Equal(everything, sequences);
        Assert.Equal(35, sequences.Count);
    }

    [Fact]
    public void Order_desc_gives_the_newest_first_and_its_cursor_goes_on_backwards()
    {
        string svc = Marker();
        for (int i = 0; i < 3; i++)
            Drain(Port, QueryFixture.KeyA, "tenant-a", svc, Enumerable.Range(0, 4).Select(j => ("2024-03-01T00:00:00Z", "info", $"m{i * 4 + j}")).ToArray());
        var first = Get(Port, $"/v1/query?service={svc}&order=desc&limit=5", QueryFixture.Admin);
        var second = Get(Port, $"/v1/query?service={svc}&order=desc&limit=5&cursor={first.Header("X-Next-Cursor")}", QueryFixture.Admin);
        var third = Get(Port, $"/v1/query?service={svc}&order=desc&limit=5&cursor={second.Header("X-Next-Cursor")}", QueryFixture.Admin);
        var messages = Records(first).Concat(Records(second)).Concat(Records(third)).Select(Message).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Reverse().Select(i => $"m{i}"), messages);
        Assert.Null(third.Header("X-Next-Cursor"));
    }

    [Fact]
    public void Accept_json_answers_records_and_next_cursor_in_one_object()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc, ("2024-02-01T00:00:00Z", "info", "one"), ("2024-02-01T00:00:01Z", "info", "two"));
        var reply = Get(Port, $"/v1/query?service={svc}&limit=1", QueryFixture.Admin, ("Accept", "application/json"));
        Assert.Equal(200, reply.Status);
        Assert.StartsWith("application/json", reply.Header("Content-Type"));
        var root = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal(["one"], root.GetProperty("records").EnumerateArray().Select(Message));
        var next = root.GetProperty("next_cursor").GetString();
        var rest = JsonDocument.Parse(Get(Port, $"/v1/query?service={svc}&limit=1&cursor={next}", QueryFixture.Admin, ("Accept", "application/json")).Body).RootElement;
        Assert.Equal(["two"], rest.GetProperty("records").EnumerateArray().Select(Message));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_cursor").ValueKind);
    }

    [Fact]
    public void Stats_count_records_per_time_bucket_grouped_by_level()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc,
            ("2024-04-01T10:00:05Z", "info", "a"), ("2024-04-01T10:00:50Z", "error", "b"), ("2024-04-01T10:01:10Z", "error", "c"),
            ("2024-04-01T10:01:20Z", "error", "d"));
        var reply = Get(Port, $"/v1/query/stats?service={svc}&group_by=level&interval=1m", QueryFixture.Admin);
        Assert.Equal(200, reply.Status);
        var root = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("1m", root.GetProperty("interval").GetString());
        var buckets = root.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(["2024-04-01T10:00:00.000000000Z", "2024-04-01T10:01:00.000000000Z"], buckets.Select(b => b.GetProperty("start").GetString()));
        Assert.Equal("""{"info":1,"error":1}""", buckets[0].GetProperty("counts").GetRawText());
        Assert.Equal("""{"error":2}""", buckets[1].GetProperty("counts").GetRawText());
    }

    [Fact]
    public void The_air_view_returns_the_entries_as_they_were_sent()
    {
        string marker = Marker();
        string entry = $$$"""{"timestamp":"2025-01-15T10:30:00Z","level":"warn","message":"{{{marker}}}","attributes":{"k":"v"}}""";
        var post = RawHttp.Once(Port, "POST", "/v1/ingest/logs", $$"""{"entries":[{{entry}}]}""",
            ("Content-Type", "application/json"), ("Authorization", "Bearer " + AirToken("tenant-a")));
        Assert.Equal(200, post.Status);
        var reply = Get(Port, $"/v1/query/logs?q={marker}", AirToken("tenant-a"));
        Assert.Equal(200, reply.Status);
        var data = JsonDocument.Parse(reply.Body).RootElement.GetProperty("data");
        Assert.Equal([entry], data.GetProperty("entries").EnumerateArray().Select(e => e.GetRawText()));
        Assert.Equal(JsonValueKind.Null, data.GetProperty("next_cursor").ValueKind);
        Assert.Empty(JsonDocument.Parse(Get(Port, $"/v1/query/events?q={marker}", AirToken("tenant-a")).Body).RootElement
            .GetProperty("data").GetProperty("entries").EnumerateArray());
    }

    public static TheoryData<string, string> BadParameters => new()
    {
        { "/v1/query?since=yesterday", "since" },
        { "/v1/query?since=2024-01-02T00:00:00Z&until=2024-01-01T00:00:00Z", "since" },
        { "/v1/query?limit=0", "limit" },
        { "/v1/query?limit=ten", "limit" },
        { "/v1/query?limit=99999999", "limit" },
        { "/v1/query?order=sideways", "order" },
        { "/v1/query?cursor=not-a-cursor", "cursor" },
        { "/v1/query?dialect=klingon", "dialect" },
        { "/v1/query?kind=rumour", "kind" },
        { "/v1/query?group_by=level", "group_by" },
        { "/v1/query?limit=1&limit=2", "limit" },
        { "/v1/query/stats?group_by=colour", "group_by" },
        { "/v1/query/stats?interval=soon", "interval" },
        { "/v1/query/stats?since=2020-01-01T00:00:00Z&interval=1s", "interval" },
        { "/v1/query/logs?dialect=air", "dialect" },
        { "/v1/tail?limit=5", "limit" },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public void A_bad_parameter_gets_400_naming_it(string path, string parameter)
    {
        var reply = Get(Port, path, QueryFixture.Admin);
        Assert.Equal(400, reply.Status);
        var body = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("invalid_parameter", body.GetProperty("error").GetString());
        Assert.Equal(parameter, body.GetProperty("parameter").GetString());
        Assert.StartsWith(parameter + ": ", body.GetProperty("detail").GetString());
    }

    [Fact]
    public void A_where_that_does_not_parse_gets_400_with_the_column()
    {
        var reply = Get(Port, "/v1/query?where=" + Q("level == 'error' and"), QueryFixture.Admin);
        Assert.Equal(400, reply.Status);
        var body = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("where", body.GetProperty("parameter").GetString());
        Assert.Equal(21, body.GetProperty("column").GetInt32());
    }

    private static JsonElement CursorRefusal(RawHttp.Reply reply)
    {
        Assert.Equal(400, reply.Status);
        var body = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("invalid_parameter", body.GetProperty("error").GetString());
        Assert.Equal("cursor", body.GetProperty("parameter").GetString());
        return body;
    }

    [Fact]
    public void A_cursor_sent_with_other_filters_than_its_query_gets_400()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc, ("2024-02-02T00:00:00Z", "info", "x"), ("2024-02-02T00:00:01Z", "error", "y"));
        string cursor = Get(Port, $"/v1/query?service={svc}&limit=1", QueryFixture.Admin).Header("X-Next-Cursor")!;
        var body = CursorRefusal(Get(Port, $"/v1/query?service={svc}&level=error&limit=1&cursor={cursor}", QueryFixture.Admin));
        Assert.Contains("other filters", body.GetProperty("detail").GetString());
    }

    [Fact]
    public void A_cursor_gets_400_on_another_route()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc, ("2024-02-03T00:00:00Z", "info", "x"), ("2024-02-03T00:00:01Z", "info", "y"));
        string cursor = Get(Port, $"/v1/query?service={svc}&limit=1", QueryFixture.Admin).Header("X-Next-Cursor")!;
        var body = CursorRefusal(Get(Port, $"/v1/query/logs?service={svc}&limit=1&cursor={cursor}", QueryFixture.Admin));
        Assert.Contains("other filters", body.GetProperty("detail").GetString());
    }

    [Fact]
    public void A_cursor_edited_by_hand_gets_400()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc, ("2024-02-04T00:00:00Z", "info", "x"), ("2024-02-04T00:00:01Z", "info", "y"));
        string cursor = Get(Port, $"/v1/query?service={svc}&limit=1", QueryFixture.Admin).Header("X-Next-Cursor")!;
        // Move the block offset by one byte, keeping the cursor well formed.
        var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor)).Split('.');
        parts[2] = (long.Parse(parts[2]) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string edited = Base64Url.EncodeToString(Encoding.ASCII.GetBytes(string.Join('.', parts)));
        var body = CursorRefusal(Get(Port, $"/v1/query?service={svc}&limit=1&cursor={edited}", QueryFixture.Admin));
        Assert.Contains("not a cursor this server returned", body.GetProperty("detail").GetString());
    }

    [Fact]
    public void A_cursor_made_for_the_other_order_gets_400()
    {
        string svc = Marker();
        Drain(Port, QueryFixture.KeyA, "tenant-a", svc, ("2024-02-01T00:00:00Z", "info", "x"), ("2024-02-01T00:00:01Z", "info", "y"));
        string cursor = Get(Port, $"/v1/query?service={svc}&limit=1", QueryFixture.Admin).Header("X-Next-Cursor")!;
        var reply = Get(Port, $"/v1/query?service={svc}&limit=1&order=desc&cursor={cursor}", QueryFixture.Admin);
        Assert.Equal(400, reply.Status);
        Assert.Contains("order=asc", reply.Body);
    }
}
