import { ConfigError } from '../core/errors.ts';
import { sandboxId, type ErpInstance } from './erp-instances.ts';
import { botSchema, type BotConfig } from './bot-schema.ts';
import type { IntentCatalog } from './intent-catalog.ts';
import { listYamlFiles, loadYamlFile } from './yaml-file.ts';

/**
 * Loads bots/*.yaml and cross-checks them against the intent catalog, each other and the ERP instances
 * (`erp:` names `sandbox` or an instance of the bot's own tenant).
 */
export function loadBots(dir: string, catalog: IntentCatalog, erps: ErpInstance[] = []): BotConfig[] {
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
      const erpProblem = erpReferenceProblem(bot.erp, bot.tenant, erps);
      if (erpProblem) errors.push(`${file}: erp: ${erpProblem}`);
      bots.push(bot);
    } catch (e: unknown) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return bots;
}

/** Why `name` (a bot's `erp:` or an intent's `erp.connector`) names no ERP for `tenant`, or null when it does. */
export function erpReferenceProblem(name: string, tenant: string, erps: ErpInstance[]): string | null {
  if (name === 'sandbox' || name === sandboxId(tenant)) return null;
  const inst = erps.find((e) => e.id === name);
  const available = ['sandbox', ...erps.filter((e) => e.tenant === tenant).map((e) => e.id)].join(', ');
  if (!inst) return `unknown ERP connector "${name}" (available: ${available}; instances are the files of ERPS_DIR)`;
  if (inst.tenant !== tenant) return `ERP instance "${name}" serves tenant "${inst.tenant}", not "${tenant}" (available: ${available})`;
  return null;
}
