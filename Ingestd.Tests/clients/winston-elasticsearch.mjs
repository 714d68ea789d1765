// node winston-elasticsearch.mjs URL INDEX COUNT TAG — winston with winston-elasticsearch's transport (buffered bulk
// writer: its action lines carry an extra "attempts" key and "pipeline":null). Logs COUNT marked entries with a
// known timestamp each, waits for the transport to flush, and prints the warnings/errors the transport emitted.
import winston from 'winston';
import { ElasticsearchTransport, ElasticsearchTransformer } from 'winston-elasticsearch';

const [url, index, count, tag] = process.argv.slice(2);
const levels = ['info', 'warn', 'error', 'debug'];
const transport = new ElasticsearchTransport({
  level: 'debug',
  index,
  flushInterval: 200,
  retryLimit: 2,
  clientOpts: { node: url, auth: { username: 'elastic', password: process.env.ES_PASSWORD }, maxRetries: 2, requestTimeout: 10000 },
  // The default document keeps winston's level in "severity"; "level" as well lets the stored record carry it.
  transformer: (logData) => ({ ...ElasticsearchTransformer(logData), level: logData.level }),
});
const problems = [];
transport.on('warning', (e) => problems.push(`warning: ${e.message} ${JSON.stringify(e.meta?.body ?? '')}`));
transport.on('error', (e) => problems.push(`error: ${e.message}`));

const logger = winston.createLogger({ level: 'debug', transports: [transport] });
for (let i = 0; i < Number(count); i++) {
  logger.log(levels[i % levels.length], `${tag}-${i}`, { timestamp: new Date(Date.UTC(2025, 2, 10, 9, 0, i % 60, i)).toISOString(), n: i });
}
// Let the bulk writer's ticks send everything, then flush what is left.
await new Promise((resolve) => setTimeout(resolve, 1500));
await transport.flush();
console.log(JSON.stringify({ problems }));
process.exit(problems.length === 0 ? 0 : 1);
