import type { Kysely, Transaction } from 'kysely';
import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Database } from '../db/database.ts';
import type { FieldDefinition, IntentDefinition } from '../config/intent-schema.ts';
import { localized } from '../i18n/catalog.ts';
import { matchRecords, type Matchable } from '../master-data/name-match.ts';
import type { Command, FieldValue } from './commands.ts';
import type { DialogState } from './dialog-state.ts';
import type { CoercionResult } from './field-coercion.ts';

/**
 * Fields whose values are master-data records (`source: { master: <kind> }`): a value typed in chat or on the card is
 * matched against the records the ERP shares (name-match.ts) and stored under the record's own name. Which ERP
 * instance's records is the app's business (the field's `connector`, the intent's, or the bot's ERP): the dialog
 * only gets the records through a lookup.
 */
export type MasterChoice = Matchable;

/**
 * The active records a field offers, for a tenant and the bot the user talks to (empty: the ERP shares none). Read
 * through `db`: inside a turn's transaction that is the transaction (an embedded database has one connection).
 */
export type MasterLookup = (db: Kysely<Database> | Transaction<Database>, tenantId: string, botId: string, intent: IntentDefinition, field: FieldDefinition, opts?: { limit?: number }) => Promise<readonly MasterChoice[]>;

/** What a turn knows of the records, loaded before the (pure) form filler runs. */
export type MasterChoices = (intentKey: string, fieldName: string) => readonly MasterChoice[] | undefined;

/**
 * Loads the records of the master-sourced fields this turn's commands set (on the open draft's intent or one the
 * turn starts), each field once. Nothing is read when no such field is set.
 */
export async function loadMasterChoices(lookup: MasterLookup | undefined, db: Kysely<Database>, tenantId: string, botId: string, catalog: IntentCatalog, state: DialogState | null, commands: Command[]): Promise<MasterChoices> {
  const loaded = new Map<string, readonly MasterChoice[]>();
  if (!lookup) return () => undefined;
  const setNames = new Set(commands.flatMap((c) => (c.type === 'set_field' ? [c.field] : [])));
  if (setNames.size === 0) return () => undefined;
  const keys = new Set([...(state ? [state.intent] : []), ...commands.flatMap((c) => (c.type === 'start_intent' ? [c.intent] : []))]);
  for (const key of keys) {
    const intent = catalog.get(key);
    for (const field of intent?.fields ?? []) {
      if (!field.source || !setNames.has(field.name) || !intent) continue;
      loaded.set(`${key}.${field.name}`, await lookup(db, tenantId, botId, intent, field));
    }
  }
  return (intentKey, fieldName) => loaded.get(`${intentKey}.${fieldName}`);
}

/**
 * The record a typed value means: one match → its name; several → which one (the candidates named); none → the
 * question again with names that look alike. A field whose ERP shares no records keeps the text as typed.
 */
export function resolveMasterValue(field: FieldDefinition, value: FieldValue, records: readonly MasterChoice[] | undefined): CoercionResult {
  if (!field.source || !records || records.length === 0 || typeof value !== 'string') return { ok: true, value };
  const m = matchRecords(records, value);
  if (m.type === 'unique') return { ok: true, value: m.record.name };
  const label = { zh: field.label.zh, en: field.label.en.toLowerCase() };
  const list = (names: string[]) => {
    const sep = localized('form.master.separator');
    return { zh: names.join(sep.zh), en: names.join(sep.en) };
  };
  if (m.type === 'ambiguous') return { ok: false, message: localized('form.master.which', { field: label, options: list(m.candidates.map((c) => c.name)) }) };
  if (m.suggestions.length) return { ok: false, message: localized('form.master.none', { field: label, value, options: list(m.suggestions.map((c) => c.name)) }) };
  return { ok: false, message: localized('form.master.unknown', { field: label, value }) };
}

/**
 * The options of a master-sourced field on the confirmation card: the current value first (kept even when the ERP
 * no longer has it, so the card shows what the draft holds), then the records by name, at most `cap`.
 */
export function cardOptions(records: readonly MasterChoice[], current: unknown, cap = 100): string[] {
  const names = [...new Set(records.map((r) => r.name))];
  const value = typeof current === 'string' && current.trim() ? current : null;
  const out = value ? [value, ...names.filter((n) => n !== value)] : names;
  return out.slice(0, cap);
}
