// node pino-elasticsearch.mjs URL INDEX COUNT TAG — pino writing through pino-elasticsearch (the elasticsearch-js bulk
// helper with refreshOnCompletion: when the stream ends it calls GET /INDEX/_refresh). Prints the helper's stats and
// every error or dropped document the stream reported.
import pino from 'pino';
import pinoElastic from 'pino-elasticsearch';

const [url, index, count, tag] = process.argv.slice(2);
const stream = pinoElastic({
  index,
  node: url,
  auth: { username: 'elastic', password: process.env.ES_PASSWORD },
  esVersion: 8,
  // "create" also copies pino's time into @timestamp, the date field Elasticsearch tools read.
  opType: 'create',
  flushBytes: 2000,
  flushInterval: 200,
});
const problems = [];
stream.on('error', (e) => problems.push(`error: ${e.message}`));
stream.on('insertError', (e) => problems.push(`insertError: ${JSON.stringify(e.document)}`));
const done = new Promise((resolve) => { stream.on('insert', resolve); stream.on('error', () => resolve(null)); });

// String level names (pino's default is numeric).
const logger = pino({ level: 'debug', formatters: { level: (label) => ({ level: label }) } }, stream);
const levels = ['info', 'warn', 'error', 'debug'];
for (let i = 0; i < Number(count); i++) logger[levels[i % levels.length]]({ n: i }, `${tag}-${i}`);
stream.end();
const stats = await Promise.race([done, new Promise((resolve) => setTimeout(() => resolve(null), 20000))]);
// The refresh runs after the helper resolves; give its answer (or its error event) a moment.
await new Promise((resolve) => setTimeout(resolve, 500));
console.log(JSON.stringify({ stats, problems }));
process.exit(stats && problems.length === 0 ? 0 : 1);
