import { loadConfig } from '../config/env.ts';
import { openCliDb } from '../db/create-db.ts';
import { listDead, replay } from '../outbox/outbox-repo.ts';

/** `npm run outbox -- dead` lists dead-lettered jobs; `npm run outbox -- replay <id>` re-queues one. */
const [verb, arg] = process.argv.slice(2);
if (verb !== 'dead' && !(verb === 'replay' && arg && /^\d+$/.test(arg))) {
  console.error('usage: npm run outbox -- dead | replay <id>');
  process.exit(2);
}
const cfg = loadConfig();
const h = await openCliDb(cfg, 2);
try {
  if (verb === 'dead') {
    const jobs = await listDead(h.db);
    for (const j of jobs) console.log(JSON.stringify({ id: j.id, kind: j.kind, attempts: j.attempts, error: j.last_error, key: j.idempotency_key, updated: j.updated_at }));
    if (jobs.length === 0) console.log('no dead-lettered jobs');
  } else {
    const ok = await replay(h.db, Number(arg));
    console.log(ok ? `job ${arg} re-queued` : `job ${arg} is not dead-lettered`);
    if (!ok) process.exitCode = 1;
  }
} catch (e: unknown) {
  console.error(`outbox: ${e instanceof Error ? e.message : String(e)} (is the database migrated? npm run migrate)`);
  process.exitCode = 2;
} finally {
  await h.close();
}
