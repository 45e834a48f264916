import { ConfigError } from '../core/errors.ts';
import { ERP_CONNECTORS } from './intent-schema.ts';
import { botSchema, type BotConfig } from './bot-schema.ts';
import type { IntentCatalog } from './intent-catalog.ts';
import { listYamlFiles, loadYamlFile } from './yaml-file.ts';

/** Loads bots/*.yaml and cross-checks them against the intent catalog and each other. */
export function loadBots(dir: string, catalog: IntentCatalog): BotConfig[] {
  const errors: string[] = [];
  const bots: BotConfig[] = [];
  for (const file of listYamlFiles(dir, 'BOTS_DIR')) {
    try {
      const bot = loadYamlFile(file, botSchema);
      for (const [i, key] of (bot.intents ?? []).entries()) {
        if (!catalog.get(key)) errors.push(`${file}: intents.${i}: unknown intent "${key}"`);
      }
      if (bots.some((b) => b.id === bot.id)) errors.push(`${file}: id: duplicate bot id "${bot.id}"`);
      if (bot.platform === 'feishu' && bot.transport === 'webhook' && !bot.credentials.verification_token) {
        // Without it (or a signature) anyone who finds the URL could post events as any employee.
        errors.push(`${file}: credentials.verification_token: required for the webhook transport (Feishu console: Events & Callbacks → Encryption strategy)`);
      }
      if (!ERP_CONNECTORS.includes(bot.erp)) errors.push(`${file}: erp: unknown ERP connector "${bot.erp}" (available: ${ERP_CONNECTORS.join(', ')})`);
      bots.push(bot);
    } catch (e: unknown) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return bots;
}
