import { loadBots } from '../config/bot-catalog.ts';
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
  directoryFile: DirectoryFile;
  /** Every tenant a bot or the directory file names. */
  tenants: string[];
  /** The tenant of requests that arrive without a bot (rejected API calls): the console's, else the first. */
  consoleTenant: string;
  /** A bot's language (Chinese for one not configured). */
  localeOf: (botId: string) => Locale;
}

/** Reads the intent catalog, the bots and the directory file (a fault in any of them fails the boot). */
export function loadSettings(config: AppConfig): Settings {
  const catalog = loadIntentCatalog(config.intentsDir);
  const bots = loadBots(config.botsDir, catalog).filter((b) => b.enabled);
  const directoryFile = loadDirectoryFile(config.directoryFile);
  const tenants = [...new Set([directoryFile.tenant, ...bots.map((b) => b.tenant)])];
  const botLocale = new Map(bots.map((b) => [b.id, b.locale as Locale]));
  return {
    catalog, bots, directoryFile, tenants,
    consoleTenant: bots.find((b) => b.platform === 'console')?.tenant ?? tenants[0] ?? 'default',
    localeOf: (botId) => botLocale.get(botId) ?? 'zh',
  };
}
