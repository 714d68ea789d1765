using Ingestd.Selection;

namespace Ingestd.Config;

/// <summary>Where a new output (one without a cursor file) starts reading: the oldest stored record or the log's end.</summary>
internal enum OutputStart
{
    Earliest,
    Latest,
}

/// <summary>
/// <c>[[outputs]]</c>: one delivery of the stored records to a destination, at its own cursor. Only built destination
/// types are accepted (<see cref="KnownTypes"/>): anything else is a config error naming the key.
/// </summary>
internal sealed record OutputConfig
{
    public static readonly string[] KnownTypes = ["http_ndjson", "elasticsearch", "nats_jetstream", "loki", "otlp_http", "splunk_hec", "clickhouse", "parquet_files"];

    /// <summary><c>name</c>: names the cursor and dead-letter files and the metrics' <c>output</c> label.</summary>
    public required string Name { get; init; }

    /// <summary><c>type</c>: the destination (one of <see cref="KnownTypes"/>).</summary>
    public required string Type { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>
    /// <c>match = { tenant = [...], dialect = [...], kind = [...], service = [...], level = [...], stream = [...], route = [...],
    /// where = "…" }</c>: the records delivered, in the shared filter's own terms (no time range, no <c>q</c>); empty lists match all.
    /// </summary>
    public RecordCriteria Match { get; init; } = new();

    /// <summary><c>batch.max_events</c>: a batch is sent when it holds this many events.</summary>
    public int MaxEvents { get; init; } = 1000;

    /// <summary><c>batch.max_bytes</c>: ... or this many bytes of NDJSON.</summary>
    public long MaxBytes { get; init; } = 4L * 1024 * 1024;

    /// <summary><c>batch.max_wait</c>: ... or when its first event has waited this long.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(1);

    public OutputStart Start { get; init; } = OutputStart.Earliest;

    /// <summary><c>url</c>: where batches are POSTed (http_ndjson), the cluster's base URL (elasticsearch: <c>/_bulk</c> is added).</summary>
    public string? Url { get; init; }

    /// <summary><c>index</c> (elasticsearch): the target index; <c>{tenant}</c> and <c>{dialect}</c> are filled per event.</summary>
    public string Index { get; init; } = "ingestd-{tenant}";

    /// <summary><c>subject</c> (nats_jetstream): the subject template; <c>{tenant}</c> and <c>{dialect}</c> are filled per event.</summary>
    public string Subject { get; init; } = "logs.{tenant}.{dialect}";

    /// <summary><c>headers = { "Authorization" = "Bearer ..." }</c> (http_ndjson): added to every request.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary><c>gzip</c> (http_ndjson): compress request bodies.</summary>
    public bool Gzip { get; init; }

    /// <summary><c>path</c> (parquet_files): the absolute directory the Hive-layout part files go under.</summary>
    public string? Path { get; init; }

    /// <summary><c>timeout</c>: one request may take this long before it counts as a transient failure.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>retry_max_backoff</c>: the cap of the exponential backoff between retries.</summary>
    public TimeSpan RetryMaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>table</c> (clickhouse): the table rows are inserted into, <c>name</c> or <c>database.name</c>.</summary>
    public string Table { get; init; } = "ingestd_events";

    /// <summary><c>create_table</c> (clickhouse): create the table with the documented schema if it does not exist.</summary>
    public bool CreateTable { get; init; }

    /// <summary><c>user</c> / <c>password</c> (clickhouse): the ClickHouse user (none: the server's default user).</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary><c>auth = "basic"</c> (clickhouse): send user and password as HTTP basic auth instead of <c>X-ClickHouse-User</c>/<c>-Key</c>.</summary>
    public bool BasicAuth { get; init; }

    public bool Equals(OutputConfig? other) =>
        other is not null && Name == other.Name && Type == other.Type && Enabled == other.Enabled && Match.Equals(other.Match)
        && MaxEvents == other.MaxEvents && MaxBytes == other.MaxBytes && MaxWait == other.MaxWait && Start == other.Start
        && Url == other.Url && Index == other.Index && Subject == other.Subject && Headers.SequenceEqual(other.Headers) && Gzip == other.Gzip && Path == other.Path && Timeout == other.Timeout
        && RetryMaxBackoff == other.RetryMaxBackoff
        && Table == other.Table && CreateTable == other.CreateTable && User == other.User && Password == other.Password && BasicAuth == other.BasicAuth
        && HttpFamilyEquals(other);

    public override int GetHashCode() => HashCode.Combine(Name, Type, Url);

    // ---- loki, otlp_http, splunk_hec ----

    /// <summary>The record fields a template may name, as <c>{name}</c> (Loki labels, Splunk HEC host/source/sourcetype/index).</summary>
    public static readonly string[] TemplateFields = ["tenant", "dialect", "kind", "level", "service", "stream"];

    public static readonly IReadOnlyList<KeyValuePair<string, string>> DefaultLokiLabels =
        [new("tenant", "{tenant}"), new("dialect", "{dialect}"), new("service_name", "{service}"), new("level", "{level}")];

    /// <summary><c>labels = { job = "ingestd", tenant = "{tenant}" }</c> (loki): the stream labels; one that renders empty is left out. The default names the service <c>service_name</c>, as Loki does.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = DefaultLokiLabels;

    /// <summary><c>structured_metadata</c> (loki): the event id as structured metadata <c>ingestd_id</c> (Loki 3 / schema v13); false puts it in the line.</summary>
    public bool StructuredMetadata { get; init; } = true;

    /// <summary><c>token</c> (splunk_hec, required): sent as <c>Authorization: Splunk &lt;token&gt;</c>.</summary>
    public string? Token { get; init; }

    /// <summary><c>host</c>, <c>source</c>, <c>sourcetype</c>, <c>index</c> (splunk_hec): templates; absent ones are not sent (host: the machine's name).</summary>
    public string? HecHost { get; init; }
    public string? HecSource { get; init; } = "{service}";
    public string? HecSourceType { get; init; }
    public string? HecIndex { get; init; }

    private bool HttpFamilyEquals(OutputConfig other) =>
        Labels.SequenceEqual(other.Labels) && StructuredMetadata == other.StructuredMetadata && Token == other.Token
        && HecHost == other.HecHost && HecSource == other.HecSource && HecSourceType == other.HecSourceType && HecIndex == other.HecIndex;
}
