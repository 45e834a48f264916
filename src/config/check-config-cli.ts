import { loadBots } from './bot-catalog.ts';
import { loadConfig } from './env.ts';
import { loadIntentCatalog } from './intent-catalog.ts';
import { loadDirectoryFile } from '../directory/directory-file.ts';

/** `npm run check:config`: validates env, intents, bots and the directory file the way boot does. */
try {
  const cfg = loadConfig();
  const catalog = loadIntentCatalog(cfg.intentsDir);
  const bots = loadBots(cfg.botsDir, catalog);
  const dir = loadDirectoryFile(cfg.directoryFile);
  console.log(JSON.stringify({ ok: true, intents: catalog.intents.map((i) => i.key), bots: bots.map((b) => `${b.id} (${b.platform})`), users: dir.users.length }));
} catch (e: unknown) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
