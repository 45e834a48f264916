import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { runPool, summarize } from './stats.ts';

/**
 * Load generator for the approve bench, in its own process (like wrk): POSTs approve clicks to the
 * console API over keep-alive connections and prints the latency summary as JSON.
 */
const [base, idsFile, concurrency] = process.argv.slice(2);
if (!base || !idsFile) throw new Error('usage: click-client <base-url> <ids-file> <concurrency>');
const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
const url = new URL('/console/api/actions', base);
const agent = new Agent({ keepAlive: true, maxSockets: Number(concurrency ?? 16) });

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const run = await runPool(ids.length, Number(concurrency ?? 16), async (i) => {
  const res = await post(JSON.stringify({ user: 'lisi', messageId: ids[i], actionId: 'approve', form: {} }));
  if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${res.text}`);
});
agent.destroy();
process.stdout.write(JSON.stringify(summarize(run.latencies, run.elapsedMs)));
