import { loadConfig } from '../config/env.ts';
import { systemClock } from '../core/clock.ts';
import { openCliDb } from '../db/create-db.ts';
import { tokenCommand } from '../identity/token-command.ts';

/**
 * `npm run token -- create|list|revoke`: service tokens for automation (src/identity/service-tokens.ts). The new
 * token goes to stdout alone (for a pipe into a secret store), everything else to stderr. Exit 2: bad arguments.
 */
const cfg = loadConfig();
const h = await openCliDb(cfg, 1);
try {
  const r = await tokenCommand(h.db, systemClock, process.argv.slice(2));
  for (const l of r.out) console.log(l);
  for (const l of r.err) console.error(l);
  process.exitCode = r.code;
} catch (e: unknown) {
  console.error(`token failed: ${e instanceof Error ? e.message : String(e)} (is the database migrated? npm run migrate)`);
  process.exitCode = 2;
} finally {
  await h.close();
}
