import { ValidationError } from '../../../core/errors.ts';
import type { PushNotice } from '../../erp-connector.ts';
import { docKindOf, INVOICE_MODEL, PURCHASE_MODEL, type TrytonModel } from './status.ts';

/**
 * Reads the body the Tryton module erp-modules/tryton/approval_webhook POSTs (after the service checked its signature,
 * time window and event id):
 *   {"event_id": "<uuid>", "model": "account.invoice", "records": [{"id": 7, "reference": "approval:…", "state": "posted"}]}
 * The notice only says which documents to read back; `state` is not trusted (the service asks Tryton).
 */
const MODELS: readonly string[] = [INVOICE_MODEL, PURCHASE_MODEL];

function bad(why: string): ValidationError {
  return new ValidationError('erp.push_invalid', `Tryton push body: ${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function text(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`${what} is not a string`);
  return v;
}

function recordId(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return String(v);
  if (typeof v === 'string' && /^[1-9]\d*$/.test(v)) return v;
  throw bad(`${what} is not a record id`);
}

export function parseTrytonPush(body: unknown): PushNotice {
  if (!isObject(body)) throw bad('not a JSON object');
  const eventId = text(body.event_id, 'event_id');
  if (!eventId) throw bad('no event_id');
  if (Array.isArray(body.records)) {
    const model = body.model;
    if (typeof model !== 'string' || !MODELS.includes(model)) throw bad(`model ${JSON.stringify(model ?? null)} is not one the connector creates (${MODELS.join(', ')})`);
    const docKind = docKindOf(model as TrytonModel);
    return {
      eventId,
      documents: body.records.map((r, i) => {
        if (!isObject(r)) throw bad(`records[${i}] is not an object`);
        const id = recordId(r.id, `records[${i}].id`);
        const externalKey = text(r.reference, `records[${i}].reference`);
        if (!id && !externalKey) throw bad(`records[${i}] has neither id nor reference`);
        return { ...(id ? { id } : {}), ...(externalKey ? { externalKey } : {}), docKind };
      }),
    };
  }
  throw bad('no records');
}
