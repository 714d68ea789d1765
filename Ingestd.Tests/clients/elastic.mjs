// node elastic.mjs URL INDEX COUNT TAG — the official Elasticsearch client: info() (product check), then the bulk helper.
import { Client } from '@elastic/elasticsearch';
const [url, index, count, tag] = process.argv.slice(2);
const auth = process.env.ES_PASSWORD ? { username: 'elastic', password: process.env.ES_PASSWORD } : undefined;
const client = new Client({ node: url, auth, maxRetries: 5, requestTimeout: 10000 });
const info = await client.info();
const docs = Array.from({ length: Number(count) }, (_, i) => ({
  '@timestamp': new Date(Date.UTC(2025, 0, 15, 10, 30, i % 60)).toISOString(),
  message: `${tag}-${i}`, log: { level: i % 2 ? 'warn' : 'info' }, service: { name: 'es-client' }, n: i,
}));
const result = await client.helpers.bulk({
  datasource: docs,
  onDocument: () => ({ create: { _index: index } }),
  flushBytes: 2000, retries: 5, wait: 200,
  onDrop: (d) => console.error('dropped', JSON.stringify(d.error)),
});
console.log(JSON.stringify({ version: info.version.number, total: result.total, successful: result.successful, failed: result.failed }));
await client.close();
