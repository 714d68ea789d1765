// node pino.mjs URL API_KEY COUNT TAG — pino logging through pino-http-send's stream ({"logs":[…]} JSON batches of 10).
// Levels cycle trace…fatal. pino-http-send sends fire-and-forget and prints failures to stderr;
// node exits once its requests (and any retries) are done.
import pino from 'pino';
import { createWriteStream } from 'pino-http-send';
const [url, apiKey, count, tag] = process.argv.slice(2);
const stream = createWriteStream({ url, headers: { 'X-API-Key': apiKey }, batchSize: 10, timeout: 200, retries: 0 });
const logger = pino({ level: 'trace', base: { service: 'pino-client' } }, stream);
const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
for (let i = 0; i < Number(count); i++) logger[levels[i % levels.length]]({ n: i }, `${tag}-${i}`);
console.log(JSON.stringify({ logged: Number(count) }));
