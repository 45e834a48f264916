import { loadConfig } from '../config/env.ts';
import { openCliDb } from '../db/create-db.ts';
import { migrateToLatest } from '../db/migrate.ts';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database under DATA_DIR). */
const cfg = loadConfig();
const h = await openCliDb(cfg, 1);
try {
  const applied = await migrateToLatest(h.db);
  console.log(JSON.stringify({ db: h.kind, applied }));
} catch (e: unknown) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
} finally {
  await h.close();
}
