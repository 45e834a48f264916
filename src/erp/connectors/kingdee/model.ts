import { ExternalServiceError } from '../../../core/errors.ts';
import { normalizeMoney } from '../../../core/money.ts';
import { KINGDEE_SERVICE } from './client-errors.ts';
import type { KingdeeForm } from './settings.ts';

/**
 * Our payload (keys of the port: amount, currency, description, party, date, item, quantity, …) → a K3 Save `Model`.
 * Save takes `F`-prefixed keys; a base-data reference is an object keyed by its code field (`{"FProposerID":
 * {"FSTAFFNUMBER":"E001"}}`); entry lines are arrays (`"FEntity":[{…}]`); `FID` 0 or absent creates a bill.
 * Source: the Save body of Kingdee's SDK (SaveParamBase / "Model"),
 * https://github.com/Xueyu334/kingdee-k3cloud-open-api/blob/HEAD/src/main/java/com/kingdee/bos/webapi/domain/dto/request/save/SaveRequest.java.
 * Amounts go as JSON numbers parsed from their two-place decimal strings (exact for any amount below 2^53 fen).
 */
function refused(message: string, details: Record<string, unknown> = {}): ExternalServiceError {
  return new ExternalServiceError(KINGDEE_SERVICE, 'erp.validation', message, { retryable: false, httpStatus: 422, details });
}

function setPath(model: Record<string, unknown>, entry: string | null, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = model;
  if (entry && parts[0]?.toLowerCase() === entry.toLowerCase() && parts.length > 1) {
    const lines = (model[parts[0]] ??= [{}]) as Record<string, unknown>[];
    target = lines[0] as Record<string, unknown>;
    parts.shift();
  }
  const [field, sub] = parts as [string, string | undefined];
  if (sub === undefined) target[field] = value;
  else target[field] = { ...(target[field] as Record<string, unknown> | undefined), [sub]: value };
}

/** A payload value as the field wants it; currencies are mapped to K3 currency numbers. */
function convert(key: string, value: string, currencies: Record<string, string>): unknown {
  if (key === 'amount') {
    const m = normalizeMoney(value);
    if (m === null || !/^\d+\.\d{2}$/.test(m) || m === '0.00') throw refused(`amount "${value}" is not a positive amount`, { key });
    return Number(m);
  }
  if (key === 'quantity') {
    if (!/^\d+(\.\d+)?$/.test(value.trim())) throw refused(`quantity "${value}" is not a number`, { key });
    return Number(value);
  }
  if (key === 'currency') {
    const number = currencies[value.trim().toUpperCase()];
    if (!number) throw refused(`currency "${value}" has no K3 currency number in settings.currencies`, { key });
    return number;
  }
  if (key === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) throw refused(`date "${value}" is not YYYY-MM-DD`, { key });
  return value;
}

export function buildModel(form: KingdeeForm, payload: Record<string, string>, externalKey: string, currencies: Record<string, string>): Record<string, unknown> {
  const model: Record<string, unknown> = { FID: 0 };
  for (const [path, value] of Object.entries(form.constants)) setPath(model, form.entry, path, value);
  for (const [key, raw] of Object.entries(payload)) {
    if (raw === undefined || raw === '') continue;
    const paths = form.fields[key];
    if (!paths) throw refused(`payload key "${key}" has no field in settings.documents.${form.docKind}.fields`, { key, formId: form.formId });
    const value = convert(key, raw, currencies);
    for (const path of paths) setPath(model, form.entry, path, value);
  }
  if (!payload.amount) throw refused('the payload has no amount', { formId: form.formId });
  setPath(model, form.entry, form.keyField, externalKey);
  return model;
}

/** K3 filter literals: single quotes doubled. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Columns every bill read asks for, by role; null roles are not read on this form. */
export type BillColumns = {
  id: string; number: string; documentStatus: string; key: string; amount: string; currency: string;
  modify: string; create: string; paid: string | null; cancel: string | null; posted: string | null; postedDate: string | null;
};

export function billColumns(form: KingdeeForm, s: { modify: string; create: string; cancel: string | null }): BillColumns {
  return {
    id: 'FID', number: 'FBillNo', documentStatus: 'FDocumentStatus', key: form.keyField, amount: form.amountField,
    currency: form.currencyField, modify: s.modify, create: s.create, paid: form.paidAmountField, cancel: s.cancel,
    posted: form.posted?.field ?? null, postedDate: form.posted?.dateField ?? null,
  };
}

export function fieldKeys(c: BillColumns | Record<string, string | null>): string[] {
  return Object.values(c).filter((v): v is string => v !== null);
}

/** A query row as { role: value } for the given columns (same order as fieldKeys). */
export function readRow<T extends Record<string, string | null>>(c: T, row: unknown[]): { [K in keyof T]: unknown } {
  const out: Record<string, unknown> = {};
  let i = 0;
  for (const [role, key] of Object.entries(c)) out[role] = key === null ? null : row[i++];
  return out as { [K in keyof T]: unknown };
}

export const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
