// node splunk.mjs URL TOKEN COUNT TAG — splunk-logging (HEC event endpoint, batched).
import SplunkLogger from 'splunk-logging';
const [url, token, count, tag] = process.argv.slice(2);
const logger = new SplunkLogger.Logger({ token, url, maxBatchCount: 1 });
let ok = 0, failed = 0;
logger.error = (err, context) => { failed++; console.error('splunk error', err?.message ?? err); };
const sends = [];
for (let i = 0; i < Number(count); i++) {
  sends.push(new Promise((resolve) => logger.send(
    { message: { text: `${tag}-${i}`, n: i, level: 'info' }, metadata: { source: 'splunk-client', sourcetype: 'ingestd:test', host: 'test-host' } },
    (err, resp, body) => { if (!err && resp?.statusCode === 200) ok++; else failed++; resolve(); })));
}
await Promise.all(sends);
console.log(JSON.stringify({ ok, failed }));
