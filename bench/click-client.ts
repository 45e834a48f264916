import { readFileSync } from 'node:fs';
import { runPool, summarize } from './stats.ts';

/**
 * Load generator for the approve bench, in its own process (like wrk): POSTs approve clicks to the
 * console API and prints the latency summary as JSON.
 */
const [base, idsFile, concurrency] = process.argv.slice(2);
if (!base || !idsFile) throw new Error('usage: click-client <base-url> <ids-file> <concurrency>');
const ids = JSON.parse(readFileSync(idsFile, 'utf8')) as string[];
const run = await runPool(ids.length, Number(concurrency ?? 16), async (i) => {
  const res = await fetch(`${base}/console/api/actions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'lisi', messageId: ids[i], actionId: 'approve', form: {} }),
  });
  if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
});
process.stdout.write(JSON.stringify(summarize(run.latencies, run.elapsedMs)));
