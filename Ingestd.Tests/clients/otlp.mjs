// node otlp.mjs URL http|proto COUNT TAG — the OpenTelemetry JS logs SDK with the OTLP/HTTP JSON or protobuf exporter.
import { LoggerProvider, BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
const [url, kind, count, tag] = process.argv.slice(2);
const { OTLPLogExporter } = kind === 'proto'
  ? await import('@opentelemetry/exporter-logs-otlp-proto')
  : await import('@opentelemetry/exporter-logs-otlp-http');
const inner = new OTLPLogExporter({ url, headers: { Authorization: process.env.OTLP_AUTH ?? '' } });
const results = [];
// Wraps the exporter to see each batch's final result (after the exporter's own retries).
const exporter = {
  export(logs, done) { inner.export(logs, (r) => { results.push({ code: r.code, n: logs.length, error: r.error?.message }); done(r); }); },
  shutdown() { return inner.shutdown(); },
  forceFlush() { return inner.forceFlush?.() ?? Promise.resolve(); },
};
const provider = new LoggerProvider({
  resource: resourceFromAttributes({ 'service.name': 'otel-client' }),
  processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 50, scheduledDelayMillis: 100 })],
});
const logger = provider.getLogger('ingestd-test', '1.0.0');
for (let i = 0; i < Number(count); i++) {
  logger.emit({ severityNumber: 13, severityText: 'WARN', body: `${tag}-${i}`, attributes: { n: i, tag } });
}
await provider.forceFlush();
await provider.shutdown();
const exported = results.filter((r) => r.code === 0).reduce((a, r) => a + r.n, 0);
console.log(JSON.stringify({ exported, failed: results.filter((r) => r.code !== 0) }));
