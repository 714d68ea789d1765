using System.Buffers;
using System.Security.Cryptography;
using Ingestd.Parsing.Dialects.Json;
using Ingestd.Parsing.Errors;

namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>
/// The fixed bodies an Elasticsearch client needs before and around <c>_bulk</c> (the
/// "handshake"). Every response to an Elasticsearch client, errors included, should carry
/// <c>X-Elastic-Product: Elasticsearch</c>: the 7.14+ clients (elasticsearch-js 8, Logstash's
/// output for ES ≥ 7.14) refuse a 2xx response without it.
/// </summary>
internal static class ElasticResponses
{
    public static ReadOnlySpan<byte> ProductHeaderName => "X-Elastic-Product"u8;
    public static ReadOnlySpan<byte> ProductHeaderValue => "Elasticsearch"u8;

    /// <summary>The version reported by default: an 8.x that current 8.x shippers accept (Beats refuse an ES older than themselves).</summary>
    public const string DefaultVersion = "8.17.0";

    /// <summary><c>PUT _index_template/…</c>, <c>PUT _ilm/policy/…</c>, <c>PUT _ingest/pipeline/…</c>, <c>PUT _component_template/…</c>.</summary>
    public static ReadOnlySpan<byte> Acknowledged => "{\"acknowledged\":true}"u8;

    /// <summary>An empty object, for lookups whose answer is "nothing special" (e.g. <c>GET _ingest/pipeline/…</c> callers that only check the status).</summary>
    public static ReadOnlySpan<byte> EmptyObject => "{}"u8;

    /// <summary>
    /// <c>GET /_license</c>: an active basic license. Logstash's output treats a missing or inactive
    /// license as "not the default distribution" and logs errors; Beats' licenser reads <c>license.type</c>/<c>status</c>.
    /// </summary>
    public static ReadOnlySpan<byte> License =>
        "{\"license\":{\"status\":\"active\",\"uid\":\"00000000-0000-4000-8000-000000000000\",\"type\":\"basic\",\"issue_date\":\"2024-01-01T00:00:00.000Z\",\"issue_date_in_millis\":1704067200000,\"max_nodes\":1000,\"max_resource_units\":null,\"issued_to\":\"ingestd\",\"issuer\":\"elasticsearch\",\"start_date_in_millis\":-1}}"u8;

    /// <summary>
    /// <c>GET /_xpack</c>: basic license, and ILM reported unavailable so that Logstash's
    /// <c>ilm_enabled =&gt; auto</c> does not try to create policies and rollover aliases.
    /// </summary>
    public static ReadOnlySpan<byte> XPack =>
        "{\"build\":{\"hash\":\"0000000000000000000000000000000000000000\",\"date\":\"2024-01-01T00:00:00.000Z\"},\"license\":{\"uid\":\"00000000-0000-4000-8000-000000000000\",\"type\":\"basic\",\"mode\":\"basic\",\"status\":\"active\"},\"features\":{\"ilm\":{\"available\":false,\"enabled\":false}},\"tagline\":\"You know, for X\"}"u8;

    /// <summary><c>GET /</c> (and <c>HEAD /</c>, without the body): the cluster info every client's product and version check reads.</summary>
    public static byte[] RootInfo(string clusterName, string version = DefaultVersion)
    {
        var output = new ArrayBufferWriter<byte>(768);
        output.Write("{\"name\":"u8);
        JsonEscape.WriteQuoted(output, clusterName);
        output.Write(",\"cluster_name\":"u8);
        JsonEscape.WriteQuoted(output, clusterName);
        output.Write(",\"cluster_uuid\":"u8);
        JsonEscape.WriteQuoted(output, ClusterUuid(clusterName));
        output.Write(",\"version\":{\"number\":"u8);
        JsonEscape.WriteQuoted(output, version);
        // build_flavor "default" is what Logstash (7.0–7.13 rule) and Beats' old checks require; "tagline" too.
        output.Write(",\"build_flavor\":\"default\",\"build_type\":\"tar\",\"build_hash\":\"0000000000000000000000000000000000000000\",\"build_date\":\"2024-01-01T00:00:00.000Z\",\"build_snapshot\":false,\"lucene_version\":"u8);
        JsonEscape.WriteQuoted(output, LuceneVersion(version));
        output.Write(",\"minimum_wire_compatibility_version\":\"7.17.0\",\"minimum_index_compatibility_version\":\"7.0.0\"},\"tagline\":\"You Know, for Search\"}"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary><c>GET /_cluster/health</c>: Vector's sink healthcheck wants a 200; a single green node.</summary>
    public static byte[] ClusterHealth(string clusterName)
    {
        var output = new ArrayBufferWriter<byte>(512);
        output.Write("{\"cluster_name\":"u8);
        JsonEscape.WriteQuoted(output, clusterName);
        output.Write(",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1,\"number_of_data_nodes\":1,\"active_primary_shards\":0,\"active_shards\":0,\"relocating_shards\":0,\"initializing_shards\":0,\"unassigned_shards\":0,\"delayed_unassigned_shards\":0,\"number_of_pending_tasks\":0,\"number_of_in_flight_fetch\":0,\"task_max_waiting_in_queue_millis\":0,\"active_shards_percent_as_number\":100.0}"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>_refresh</c> and <c>_flush</c> (any index, or none): a 2xx already means the documents are in a segment file,
    /// so there is nothing left to make searchable or durable; one shard, done.
    /// </summary>
    public static ReadOnlySpan<byte> ShardsDone => "{\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0}}"u8;

    // _cat/health columns as Elasticsearch 8.x lists them, and the values of a single green node without shards.
    private static readonly string[] CatHealthColumns =
        ["epoch", "timestamp", "cluster", "status", "node.total", "node.data", "shards", "pri", "relo", "init", "unassign", "unassign.pri", "pending_tasks", "max_task_wait_time", "active_shards_percent"];

    private static string[] CatHealthValues(string clusterName, DateTimeOffset now) =>
        [now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), now.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
         clusterName, "green", "1", "1", "0", "0", "0", "0", "0", "0", "0", "-", "100.0%"];

    /// <summary>
    /// <c>GET /_cat/health</c> as text: one line of space-separated columns, with a header line when <paramref name="verbose"/>
    /// (<c>?v</c>); columns are padded to a common width like Elasticsearch's cat tables. rsyslog's omelasticsearch asks it to
    /// see whether the cluster is back after an outage.
    /// </summary>
    public static string CatHealthText(string clusterName, DateTimeOffset now, bool verbose)
    {
        var values = CatHealthValues(clusterName, now);
        var header = new System.Text.StringBuilder();
        var row = new System.Text.StringBuilder();
        for (int i = 0; i < values.Length; i++)
        {
            int width = verbose ? Math.Max(values[i].Length, CatHealthColumns[i].Length) : values[i].Length;
            if (i > 0)
            {
                header.Append(' ');
                row.Append(' ');
            }
            header.Append(CatHealthColumns[i].PadRight(width));
            row.Append(values[i].PadRight(width));
        }
        return verbose ? header.ToString().TrimEnd() + "\n" + row.ToString().TrimEnd() + "\n" : row.ToString().TrimEnd() + "\n";
    }

    /// <summary><c>GET /_cat/health?format=json</c>: an array with one object of string values, keyed by column name.</summary>
    public static byte[] CatHealthJson(string clusterName, DateTimeOffset now)
    {
        var values = CatHealthValues(clusterName, now);
        var output = new ArrayBufferWriter<byte>(512);
        output.Write("[{"u8);
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) output.Write(","u8);
            JsonEscape.WriteQuoted(output, CatHealthColumns[i]);
            output.Write(":"u8);
            JsonEscape.WriteQuoted(output, values[i]);
        }
        output.Write("}]"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>GET /_nodes/http</c>: the one node and where it takes HTTP. Sniffing clients connect to
    /// <c>http.publish_address</c>, so it is the address the client reached (<paramref name="hostPort"/>, from <c>Host</c>).
    /// </summary>
    public static byte[] NodesHttp(string clusterName, string hostPort, long maxContentLength, string version = DefaultVersion)
    {
        string host = hostPort;
        int colon = hostPort.LastIndexOf(':');
        if (colon > hostPort.LastIndexOf(']')) host = hostPort[..colon];
        else hostPort += ":80";
        var output = new ArrayBufferWriter<byte>(1024);
        output.Write("{\"_nodes\":{\"total\":1,\"successful\":1,\"failed\":0},\"cluster_name\":"u8);
        JsonEscape.WriteQuoted(output, clusterName);
        output.Write(",\"nodes\":{"u8);
        JsonEscape.WriteQuoted(output, ClusterUuid(clusterName + "/node"));
        output.Write(":{\"name\":"u8);
        JsonEscape.WriteQuoted(output, clusterName);
        output.Write(",\"transport_address\":"u8);
        JsonEscape.WriteQuoted(output, hostPort);
        output.Write(",\"host\":"u8);
        JsonEscape.WriteQuoted(output, host);
        output.Write(",\"ip\":"u8);
        JsonEscape.WriteQuoted(output, host);
        output.Write(",\"version\":"u8);
        JsonEscape.WriteQuoted(output, version);
        output.Write(",\"build_flavor\":\"default\",\"build_type\":\"tar\",\"build_hash\":\"0000000000000000000000000000000000000000\",\"roles\":[\"data\",\"ingest\",\"master\"],\"attributes\":{},\"http\":{\"bound_address\":["u8);
        JsonEscape.WriteQuoted(output, hostPort);
        output.Write("],\"publish_address\":"u8);
        JsonEscape.WriteQuoted(output, hostPort);
        output.Write(",\"max_content_length_in_bytes\":"u8);
        var span = output.GetSpan(20);
        System.Buffers.Text.Utf8Formatter.TryFormat(maxContentLength, span, out int written);
        output.Advance(written);
        output.Write("}}}}"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The <c>Warning</c> header values (RFC 7234 §5.5 warn-code 299, as Elasticsearch sends deprecations) for
    /// action lines Elasticsearch 8.x accepts but will refuse; the texts are Elasticsearch's.
    /// </summary>
    public static IEnumerable<string> DeprecationWarnings(ActionLineWarnings warnings, string version = DefaultVersion)
    {
        string agent = $"299 Elasticsearch-{version}-0000000000000000000000000000000000000000 ";
        if ((warnings & ActionLineWarnings.Unclosed) != 0)
            yield return agent + "\"A bulk action wasn't closed properly with the closing brace. Malformed objects are currently accepted but will be rejected in a future version.\"";
        if ((warnings & ActionLineWarnings.MultipleKeys) != 0)
            yield return agent + "\"A bulk action object contained multiple keys. Additional keys are currently ignored but will be rejected in a future version.\"";
        if ((warnings & ActionLineWarnings.TrailingData) != 0)
            yield return agent + "\"A bulk action contained trailing data after the closing brace. This is currently ignored but will be rejected in a future version.\"";
    }

    /// <summary>
    /// An Elasticsearch error body: <c>{"error":{"root_cause":[{"type","reason"}],"type","reason"},"status":N}</c>.
    /// For whole-request refusals of <c>_bulk</c> use type <c>illegal_argument_exception</c> (RejectReason.InvalidEvent)
    /// or <c>x_content_parse_exception</c> (RejectReason.InvalidJson) with the exception's detail as reason.
    /// </summary>
    public static void WriteError(IBufferWriter<byte> output, string type, string reason, int status)
    {
        output.Write("{\"error\":{\"root_cause\":[{\"type\":"u8);
        JsonEscape.WriteQuoted(output, type);
        output.Write(",\"reason\":"u8);
        JsonEscape.WriteQuoted(output, reason);
        output.Write("}],\"type\":"u8);
        JsonEscape.WriteQuoted(output, type);
        output.Write(",\"reason\":"u8);
        JsonEscape.WriteQuoted(output, reason);
        output.Write("},\"status\":"u8);
        var span = output.GetSpan(11);
        System.Buffers.Text.Utf8Formatter.TryFormat(status, span, out int written);
        output.Advance(written);
        output.Write("}"u8);
    }

    /// <summary>The Elasticsearch error type for a whole-request <see cref="RequestRejectedException"/> from <see cref="BulkParser"/>.</summary>
    public static string ErrorType(RejectReason reason) => reason switch
    {
        RejectReason.InvalidJson => "x_content_parse_exception",
        RejectReason.Unauthorized => "security_exception",
        RejectReason.Forbidden => "security_exception",
        RejectReason.BodyTooLarge or RejectReason.DecodedBodyTooLarge => "content_too_long_exception",
        RejectReason.Backpressure or RejectReason.RateLimited => "es_rejected_execution_exception",
        _ => "illegal_argument_exception",
    };

    // A stable 22-character base64url id (like Elasticsearch's) derived from the cluster name.
    private static string ClusterUuid(string clusterName)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clusterName), hash);
        return System.Buffers.Text.Base64Url.EncodeToString(hash[..16]);
    }

    // Lucene versions shipped with the Elasticsearch 8.x minors clients might be told about.
    private static string LuceneVersion(string version)
    {
        var parts = version.Split('.');
        if (parts.Length >= 2 && parts[0] == "8" && int.TryParse(parts[1], out int minor))
        {
            return minor switch
            {
                <= 1 => "9.0.0",
                2 => "9.1.0",
                3 => "9.3.0",
                4 or 5 => "9.4.2",
                6 => "9.5.0",
                7 or 8 => "9.6.0",
                9 or 10 => "9.7.0",
                11 => "9.8.0",
                12 => "9.9.2",
                13 => "9.10.0",
                14 or 15 => "9.11.1",
                _ => "9.12.0",
            };
        }
        return "9.12.0";
    }
}
