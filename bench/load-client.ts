import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { LoadPlan } from './child-load.ts';
import { runPool, summarize } from './stats.ts';

/**
 * Load generator for the benches, in its own process (like wrk) so its CPU is not charged to the
 * server's event loop: a closed loop of `concurrency` keep-alive HTTP requests. Reads a JSON plan
 * (argv[2], see LoadPlan), prints the latency summary as JSON, exits 1 if any answer was not 200.
 */
const file = process.argv[2];
if (!file) throw new Error('usage: load-client <plan.json>');
const plan = JSON.parse(readFileSync(file, 'utf8')) as LoadPlan;
const url = new URL(plan.url);
const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });

function send(r: { body: string; headers?: Record<string, string> } | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = r ? { 'content-type': 'application/json', ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } : {};
    const req = request(url, { method: r ? 'POST' : 'GET', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(r?.body);
  });
}

const until = plan.ms ? performance.now() + plan.ms : Infinity;
const total = plan.requests?.length ?? Number.MAX_SAFE_INTEGER;
let failed: string | undefined;
const run = await runPool(total, plan.concurrency, async (i) => {
  if (performance.now() >= until) return false;
  const res = await send(plan.requests?.[i]);
  if (res.status !== 200) failed ??= `answered ${res.status}: ${res.text.slice(0, 300)}`;
  return true;
});
agent.destroy();
if (failed) {
  process.stderr.write(`load-client: a request ${failed}\n`);
  process.exit(1);
}
process.stdout.write(JSON.stringify(summarize(run.latencies, run.elapsedMs)));
