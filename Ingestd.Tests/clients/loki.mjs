// node loki.mjs URL json|proto COUNT TAG — winston with winston-loki (protobuf+snappy by default, or JSON).
import winston from 'winston';
import LokiTransport from 'winston-loki';
const [url, kind, count, tag] = process.argv.slice(2);
let errors = 0;
const transport = new LokiTransport({
  host: url, json: kind === 'json', batching: true, interval: 0.2, labels: { app: 'winston-test', tag },
  headers: process.env.LOKI_ORG ? { 'X-Scope-OrgID': process.env.LOKI_ORG } : undefined,
  basicAuth: process.env.LOKI_BASIC,
  onConnectionError: (e) => { errors++; console.error('loki error', e?.message ?? e); },
});
const logger = winston.createLogger({ transports: [transport] });
for (let i = 0; i < Number(count); i++) logger.log({ level: i % 2 ? 'warn' : 'info', message: `${tag}-${i}`, labels: { n: String(i % 3) } });
await new Promise((r) => setTimeout(r, 500));
await transport.flush?.();
await new Promise((r) => setTimeout(r, 500));
console.log(JSON.stringify({ sent: Number(count), errors }));
process.exit(0);
