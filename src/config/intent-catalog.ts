import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { intentSchema, type Condition, type IntentDefinition } from './intent-schema.ts';
import { listYamlFiles, loadYamlFile } from './yaml-file.ts';

/** A loaded intent with the hash of its definition, which versions it (a request pins its version). */
export interface CatalogEntry {
  definition: IntentDefinition;
  contentHash: string;
  file: string;
}

/** The validated set of intents. Immutable once built. */
export class IntentCatalog {
  private readonly byKey: ReadonlyMap<string, CatalogEntry>;

  constructor(entries: CatalogEntry[]) {
    this.byKey = new Map(entries.map((e) => [e.definition.key, e]));
  }

  get intents(): IntentDefinition[] {
    return [...this.byKey.values()].map((e) => e.definition);
  }

  get entries(): CatalogEntry[] {
    return [...this.byKey.values()];
  }

  get(key: string): IntentDefinition | undefined {
    return this.byKey.get(key)?.definition;
  }

  entry(key: string): CatalogEntry | undefined {
    return this.byKey.get(key);
  }

  /** Intents people ask for in chat: all but those whose requests are documents made in the ERP (`origin: erp`). */
  get chatIntents(): IntentDefinition[] {
    return this.intents.filter((i) => i.origin !== 'erp');
  }

  /** Intents that collect a form and become requests. */
  get formIntents(): IntentDefinition[] {
    return this.intents.filter((i) => i.kind === 'form');
  }
}

export function hashDefinition(def: IntentDefinition): string {
  return createHash('sha256').update(JSON.stringify(def)).digest('hex').slice(0, 16);
}

function conditionFields(c: Condition): string[] {
  if ('all' in c) return c.all.flatMap(conditionFields);
  if ('any' in c) return c.any.flatMap(conditionFields);
  return [c.field];
}

/** Cross-checks a schema can't express: condition fields exist, file name matches the key. */
function crossCheck(def: IntentDefinition, file: string): string[] {
  const errors: string[] = [];
  const names = new Set(def.fields.map((f) => f.name));
  def.route.steps.forEach((s, i) => {
    if (!s.when) return;
    for (const f of conditionFields(s.when)) {
      if (!names.has(f) && !f.startsWith('requester.')) errors.push(`${file}: route.steps.${i}.when: unknown field "${f}"`);
    }
  });
  const stem = basename(file).replace(/\.ya?ml$/, '');
  if (stem !== def.key) errors.push(`${file}: key: "${def.key}" does not match the file name "${stem}"`);
  return errors;
}

export function loadIntentCatalog(dir: string): IntentCatalog {
  const files = listYamlFiles(dir, 'INTENTS_DIR');
  const errors: string[] = [];
  const entries: CatalogEntry[] = [];
  for (const file of files) {
    try {
      const definition = loadYamlFile(file, intentSchema);
      errors.push(...crossCheck(definition, file));
      entries.push({ definition, contentHash: hashDefinition(definition), file });
    } catch (e: unknown) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.definition.key)) errors.push(`${e.file}: key: duplicate intent "${e.definition.key}"`);
    seen.add(e.definition.key);
  }
  if (files.length === 0) errors.push(`${dir}: no intent files (*.yaml)`);
  if (errors.length) throw new ConfigError(errors.join('\n'));
  return new IntentCatalog(entries);
}
