import { erpReferenceProblem, loadBots } from '../config/bot-catalog.ts';
import { loadErpInstances, type ErpInstance } from '../config/erp-instances.ts';
import { ConfigError } from '../core/errors.ts';
import type { BotConfig } from '../config/bot-schema.ts';
import type { AppConfig } from '../config/env.ts';
import { loadIntentCatalog, type IntentCatalog } from '../config/intent-catalog.ts';
import type { Locale } from '../core/locale.ts';
import { loadDirectoryFile, type DirectoryFile } from '../directory/directory-file.ts';

/** What the configuration files say, read once at boot. */
export interface Settings {
  catalog: IntentCatalog;
  /** The enabled bots. */
  bots: BotConfig[];
  /** The enabled ERP instances (ERPS_DIR), credentials read from the environment. */
  erps: ErpInstance[];
  directoryFile: DirectoryFile;
  /** Every tenant a bot or the directory file names. */
  tenants: string[];
  /** The tenant of requests that arrive without a bot (rejected API calls): the console's, else the first. */
  consoleTenant: string;
  /** A bot's language (Chinese for one not configured). */
  localeOf: (botId: string) => Locale;
}

/** Reads the intent catalog, the bots and the directory file (a fault in any of them fails the boot). */
export function loadSettings(config: AppConfig, env: Record<string, string | undefined>): Settings {
  const catalog = loadIntentCatalog(config.intentsDir);
  const erps = loadErpInstances(config.erpsDir, env);
  const bots = loadBots(config.botsDir, catalog, erps).filter((b) => b.enabled);
  const problems = [...intentErpProblems(catalog, bots, erps), ...originatedProblems(catalog, bots, erps)];
  if (problems.length) throw new ConfigError(problems.join('\n'));
  const directoryFile = loadDirectoryFile(config.directoryFile);
  const tenants = [...new Set([directoryFile.tenant, ...bots.map((b) => b.tenant)])];
  const botLocale = new Map(bots.map((b) => [b.id, b.locale as Locale]));
  return {
    catalog, bots, erps, directoryFile, tenants,
    consoleTenant: bots.find((b) => b.platform === 'console')?.tenant ?? tenants[0] ?? 'default',
    localeOf: (botId) => botLocale.get(botId) ?? 'zh',
  };
}

/**
 * An instance's `approvals` map document kinds to intents with `origin: erp`, carried by an enabled bot of its
 * tenant (the named one, or any); and an `origin: erp` intent is reached from some instance.
 */
export function originatedProblems(catalog: IntentCatalog, bots: BotConfig[], erps: ErpInstance[]): string[] {
  const problems: string[] = [];
  for (const e of erps) {
    e.approvals.forEach((a, i) => {
      const intent = catalog.get(a.intent);
      if (!intent) problems.push(`${e.file}: approvals.${i}.intent: no intent "${a.intent}" in the catalog`);
      else if (intent.origin !== 'erp') problems.push(`${e.file}: approvals.${i}.intent: intent "${a.intent}" is not marked origin: erp`);
      else if (intent.kind !== 'form') problems.push(`${e.file}: approvals.${i}.intent: intent "${a.intent}" is not a form`);
      const tenantBots = bots.filter((b) => b.tenant === e.tenant);
      if (a.bot && !tenantBots.some((b) => b.id === a.bot)) problems.push(`${e.file}: approvals.${i}.bot: no enabled bot "${a.bot}" in tenant "${e.tenant}"`);
      else if (!a.bot && tenantBots.length === 0) problems.push(`${e.file}: approvals.${i}: tenant "${e.tenant}" has no enabled bot to carry the approvals`);
    });
  }
  return problems;
}

/** An intent's `erp.connector` must name an ERP of every tenant whose bots offer that intent. */
export function intentErpProblems(catalog: IntentCatalog, bots: BotConfig[], erps: ErpInstance[]): string[] {
  const problems: string[] = [];
  for (const intent of catalog.intents) {
    const name = intent.erp?.connector;
    if (!name) continue;
    const tenants = new Set(bots.filter((b) => !b.intents || b.intents.includes(intent.key)).map((b) => b.tenant));
    for (const tenant of tenants) {
      const p = erpReferenceProblem(name, tenant, erps);
      if (p) problems.push(`intent ${intent.key}: erp.connector: ${p}`);
    }
  }
  return problems;
}
