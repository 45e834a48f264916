import { fileURLToPath } from 'node:url';
import { loadIntentCatalog, type IntentCatalog } from '../../../src/config/intent-catalog.ts';
import type { FieldDefinition } from '../../../src/config/intent-schema.ts';

/** The real catalog from ./intents, loaded once per test file. */
export const catalog: IntentCatalog = loadIntentCatalog(fileURLToPath(new URL('../../../intents', import.meta.url)));

export function field(intent: string, name: string): FieldDefinition {
  const f = catalog.get(intent)?.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${intent}.${name}`);
  return f;
}
