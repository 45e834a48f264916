import { loadBots } from '../config/bot-catalog.ts';
import { loadErpInstances } from '../config/erp-instances.ts';
import { intentErpProblems, originatedProblems } from '../app/wire-config.ts';
import { instanceProblems } from '../erp/connector-kinds.ts';
import { loadConfig, processEnv, readSecret } from '../config/env.ts';
import { dingtalkSecrets, feishuSecrets } from '../platforms/bot-secrets.ts';
import { loadIntentCatalog } from '../config/intent-catalog.ts';
import { loadDirectoryFile } from '../directory/directory-file.ts';
import { signInBots } from '../identity/sign-in-bots.ts';

/**
 * `npm run check:config`: validates env, intents, ERP instances (envelope, credentials set, the kind's settings),
 * bots and the directory file the way boot does.
 */
try {
  const cfg = loadConfig();
  const catalog = loadIntentCatalog(cfg.intentsDir);
  const erps = loadErpInstances(cfg.erpsDir, processEnv());
  const erpProblems = erps.flatMap(instanceProblems);
  if (erpProblems.length) throw new Error(erpProblems.join('\n'));
  const bots = loadBots(cfg.botsDir, catalog, erps);
  const refs = [...intentErpProblems(catalog, bots.filter((b) => b.enabled), erps), ...originatedProblems(catalog, bots.filter((b) => b.enabled), erps)];
  if (refs.length) throw new Error(refs.join('\n'));
  // Enabled bots' credentials, resolved by the variable names their YAML gives, as boot resolves them.
  const missing: string[] = [];
  for (const bot of bots.filter((b) => b.enabled)) {
    try {
      if (bot.platform === 'feishu') feishuSecrets(bot, (n) => readSecret(n));
      else if (bot.platform === 'dingtalk') dingtalkSecrets(bot, (n) => readSecret(n));
    } catch (e: unknown) {
      missing.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (missing.length) throw new Error(missing.join('\n'));
  // Bots offering sign-in need PUBLIC_URL (their redirect URL) and their app secrets, as boot checks.
  signInBots(bots, { secret: (n) => readSecret(n), fetch, timeoutMs: cfg.signIn.timeoutMs, publicUrl: cfg.publicUrl });
  const dir = loadDirectoryFile(cfg.directoryFile);
  console.log(JSON.stringify({ ok: true, intents: catalog.intents.map((i) => i.key), bots: bots.map((b) => `${b.id} (${b.platform})`), erps: erps.map((e) => `${e.id} (${e.kind}, tenant ${e.tenant})`), users: dir.users.length }));
} catch (e: unknown) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
