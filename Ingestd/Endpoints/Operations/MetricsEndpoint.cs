using System.Globalization;
using System.Text;
using Ingestd.Diagnostics;
using Ingestd.Http;
using Ingestd.Ingest;
using Ingestd.Parsing.Encoding;
using Ingestd.Parsing.Http;
using Ingestd.Parsing.Records;
using Ingestd.Storage;

namespace Ingestd.Endpoints.Operations;

/// <summary>Point-in-time values the server reads when scraped.</summary>
internal readonly record struct ServerGauges(long RingCapacity, long RingUsed, int Segments, long SegmentBytes, int Subscribers,
    StorageHealth? Storage = null);

/// <summary><c>GET /metrics</c>: Prometheus text format.</summary>
internal sealed class MetricsEndpoint(Metrics metrics, Func<ServerGauges> gauges) : Endpoint
{
    public override string Name => "/metrics";
    public override string Allow => "GET";
    public override bool AllowsMethod(HttpMethod method) => method == HttpMethod.Get;

    public override void Handle(RequestContext ctx, ReadOnlySpan<byte> body, Response response)
    {
        response.SetStatus(200);
        response.AddHeader("Content-Type"u8, "text/plain; version=0.0.4; charset=utf-8"u8);
        response.Body.Write(Encoding.UTF8.GetBytes(Render()));
    }

    private void RenderOutputs(PrometheusText p)
    {
        if (metrics.Outputs.IsEmpty) return;
        var outputs = metrics.Outputs.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
        long nowNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        p.Family("ingestd_output_lag_events", "gauge", "Records stored but not yet delivered (or passed over) by the output.");
        foreach (var (name, o) in outputs) p.Sample("ingestd_output_lag_events", o.LagEvents, ("output", name));
        p.Family("ingestd_output_lag_seconds", "gauge", "Age of the oldest record the output has not delivered yet (0 when caught up).");
        foreach (var (name, o) in outputs) p.Sample("ingestd_output_lag_seconds", o.LagSeconds(nowNs), ("output", name));
        p.Family("ingestd_output_delivered_events_total", "counter", "Events the output's destination acknowledged.");
        foreach (var (name, o) in outputs) p.Sample("ingestd_output_delivered_events_total", o.Delivered.Value, ("output", name));
        p.Family("ingestd_output_retries_total", "counter", "Requests to the destination repeated after a transient failure.");
        foreach (var (name, o) in outputs) p.Sample("ingestd_output_retries_total", o.Retries.Value, ("output", name));
        p.Family("ingestd_output_errors_total", "counter", "Delivery errors by kind: transient (retried), permanent (dead-lettered), read (damaged or deleted stored data).");
        foreach (var (name, o) in outputs)
            foreach (var (kind, c) in o.Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
                p.Sample("ingestd_output_errors_total", c.Value, ("output", name), ("kind", kind));
        p.Family("ingestd_output_dropped_events_total", "counter", "Undelivered events deleted because retention_max_bytes forced it.");
        foreach (var (name, o) in outputs) p.Sample("ingestd_output_dropped_events_total", o.Dropped.Value, ("output", name));
    }

    internal string Render()
    {
        var p = new PrometheusText();
        var g = gauges();

        p.Family("ingestd_http_requests_total", "counter", "HTTP requests answered, by route and status code.");
        foreach (var (key, c) in metrics.RequestsByRoute.OrderBy(k => k.Key.Route, StringComparer.Ordinal).ThenBy(k => k.Key.Status))
            p.Sample("ingestd_http_requests_total", c.Value, ("route", key.Route), ("status", key.Status.ToString(CultureInfo.InvariantCulture)));

        p.Family("ingestd_events_total", "counter", "Events acknowledged, by dialect and tenant (\"-\" in open mode).");
        foreach (var (key, c) in metrics.EventsByTenant.OrderBy(k => k.Key.Tenant, StringComparer.Ordinal).ThenBy(k => k.Key.Dialect))
            p.Sample("ingestd_events_total", c.Value, ("dialect", RecordNames.Of(key.Dialect)), ("tenant", key.Tenant));

        p.Family("ingestd_event_bytes_total", "counter", "Record bytes acknowledged, by dialect and tenant.");
        foreach (var (key, c) in metrics.BytesByTenant.OrderBy(k => k.Key.Tenant, StringComparer.Ordinal).ThenBy(k => k.Key.Dialect))
            p.Sample("ingestd_event_bytes_total", c.Value, ("dialect", RecordNames.Of(key.Dialect)), ("tenant", key.Tenant));

        p.Family("ingestd_pipeline_events_total", "counter", "Events through each processing pipeline step, by outcome (step \"match\": events the pipeline took).");
        foreach (var (key, c) in metrics.PipelineEvents.OrderBy(k => k.Key.Pipeline, StringComparer.Ordinal).ThenBy(k => k.Key.Step, StringComparer.Ordinal).ThenBy(k => k.Key.Outcome, StringComparer.Ordinal))
            p.Sample("ingestd_pipeline_events_total", c.Value, ("pipeline", key.Pipeline), ("step", key.Step), ("outcome", key.Outcome));

        p.Family("ingestd_pipeline_step_seconds_total", "counter", "Time spent in each processing pipeline step (measured on 1 event in 16 and scaled).");
        foreach (var (key, c) in metrics.PipelineStepNanos.OrderBy(k => k.Key.Pipeline, StringComparer.Ordinal).ThenBy(k => k.Key.Step, StringComparer.Ordinal))
            p.Sample("ingestd_pipeline_step_seconds_total", c.Value / 1e9, ("pipeline", key.Pipeline), ("step", key.Step));

        p.Family("ingestd_decoded_bytes_total", "counter", "Request body bytes after Content-Encoding was removed, by encoding.");
        foreach (var coding in Enum.GetValues<ContentCoding>())
            p.Sample("ingestd_decoded_bytes_total", metrics.DecodedBytesByEncoding[(int)coding].Value, ("encoding", EncodingName(coding)));

        p.Single("ingestd_ring_capacity_bytes", "gauge", "Capacity of the ring buffer.", g.RingCapacity);
        p.Single("ingestd_ring_used_bytes", "gauge", "Ring bytes published but not yet taken by the segment writer.", g.RingUsed);
        p.Single("ingestd_segments", "gauge", "Segment files in the data directory.", g.Segments);
        p.Single("ingestd_segment_bytes", "gauge", "Bytes of all segment files.", g.SegmentBytes);
        p.Single("ingestd_blocks_written_total", "counter", "Compressed blocks appended to segments.", metrics.BlocksWritten.Value);

        if (g.Storage is { } storage)
        {
            p.Single("ingestd_storage_writable", "gauge", "1 while segment writes succeed; 0 from a failed write or fsync until the next good one.", storage.Writable ? 1 : 0);
            p.Family("ingestd_storage_errors_total", "counter", "Failed segment writes, segment creations and fsyncs, by kind.");
            foreach (var kind in Enum.GetValues<StorageErrorKind>())
                p.Sample("ingestd_storage_errors_total", storage.Errors(kind), ("kind", StorageErrors.Label(kind)));
        }

        RenderHistogram(p, "ingestd_fsync_duration_seconds", "Time taken by each segment fsync (group commit).", metrics.FsyncSeconds);
        RenderHistogram(p, "ingestd_block_write_duration_seconds", "Time taken to compress and append each segment block.", metrics.BlockWriteSeconds);

        p.Family("ingestd_http_request_duration_seconds", "histogram", "Time from a request's complete head to its answer handed to the socket, by route (streamed answers not counted).");
        foreach (var (route, histogram) in metrics.RequestSecondsByRoute)
            RenderBuckets(p, "ingestd_http_request_duration_seconds", histogram, ("route", route));

        RenderOutputs(p);

        p.Single("ingestd_backpressure_rejections_total", "counter", "Requests answered 429 because the ring had no room.", metrics.Rejected429.Value);
        p.Single("ingestd_open_connections", "gauge", "Open client connections.", metrics.OpenConnections.Value);
        p.Family("ingestd_tls_handshakes_total", "counter", "TLS handshakes, by outcome (ok, failed, timeout, refused at the max_tls_handshakes cap).");
        foreach (var outcome in Enum.GetValues<TlsHandshakeOutcome>())
            p.Sample("ingestd_tls_handshakes_total", metrics.TlsHandshakes[(int)outcome].Value, ("outcome", outcome.ToString().ToLowerInvariant()));
        p.Single("ingestd_idle_timeout_closes_total", "counter", "Connections closed after idle_timeout without a request.", metrics.IdleTimeoutCloses.Value);
        p.Single("ingestd_sse_subscribers", "gauge", "Live Server-Sent Events subscribers.", g.Subscribers);

        p.Family("dotnet_gc_collections_total", "counter", "Garbage collections since start, by generation.");
        for (int gen = 0; gen <= 2; gen++)
            p.Sample("dotnet_gc_collections_total", GC.CollectionCount(gen), ("generation", gen.ToString(CultureInfo.InvariantCulture)));
        p.Single("dotnet_gc_allocated_bytes_total", "counter", "Bytes allocated on the managed heap since start (divide by events for bytes per event).", GC.GetTotalAllocatedBytes());
        p.Single("dotnet_gc_heap_bytes", "gauge", "Managed heap size after the last collection.", GC.GetTotalMemory(false));

        using var process = System.Diagnostics.Process.GetCurrentProcess();
        p.Single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", process.WorkingSet64);
        p.Single("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", process.TotalProcessorTime.TotalSeconds);
        return p.ToString();
    }

    private static void RenderHistogram(PrometheusText p, string name, string help, Metrics.Histogram h)
    {
        p.Family(name, "histogram", help);
        RenderBuckets(p, name, h);
    }

    private static void RenderBuckets(PrometheusText p, string name, Metrics.Histogram h, params (string Name, string Value)[] labels)
    {
        long cumulative = 0;
        for (int i = 0; i <= h.Bounds.Count; i++)
        {
            cumulative += h.BucketCount(i);
            string le = i < h.Bounds.Count ? h.Bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
            p.Sample(name + "_bucket", cumulative, [.. labels, ("le", le)]);
        }
        p.Sample(name + "_sum", h.Sum, labels);
        p.Sample(name + "_count", cumulative, labels);
    }

    private static string EncodingName(ContentCoding c) => c switch
    {
        ContentCoding.Gzip => "gzip",
        ContentCoding.Deflate => "deflate",
        ContentCoding.Brotli => "br",
        ContentCoding.Zstd => "zstd",
        _ => "identity",
    };
}
