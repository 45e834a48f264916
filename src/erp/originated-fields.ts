import type { IntentDefinition } from '../config/intent-schema.ts';
import { compareMoney } from '../core/money.ts';
import type { ErpOrigin } from '../workflow/approval-states.ts';
import type { OriginatedDoc } from './originated-port.ts';

/**
 * What an ERP document gives an intent's fields, by field name: an `origin: erp` intent declares the ones its route
 * and cards use (`amount` for a condition such as "over 10,000 goes to finance"). Undeclared names are left out.
 */
export function originatedFields(intent: IntentDefinition, doc: OriginatedDoc): Record<string, unknown> {
  const offered: Record<string, string | undefined> = {
    title: doc.title, description: doc.title, amount: doc.total, currency: doc.currency, erp_number: doc.ref.number, owner: doc.owner.name,
    date: doc.date, party: doc.party, supplier: doc.party,
    items: doc.lines.map((l) => `${l.item} × ${l.quantity}`).join('; ') || undefined,
  };
  const out: Record<string, unknown> = {};
  for (const f of intent.fields) {
    const v = offered[f.name];
    if (v !== undefined && v !== '') out[f.name] = v;
  }
  return out;
}

/** The card's view of a document (no decision: the caller keeps the one on file). */
export function toOrigin(connector: string, doc: OriginatedDoc): ErpOrigin {
  return {
    connector, docKind: doc.ref.docKind, formId: doc.ref.formId, erpId: doc.ref.id, number: doc.ref.number ?? null, state: doc.state,
    owner: { erpId: doc.owner.erpId, name: doc.owner.name }, title: doc.title, lines: doc.lines.slice(0, 200), total: doc.total, currency: doc.currency,
    ...(doc.party ? { party: doc.party } : {}), ...(doc.link ? { link: doc.link } : {}), changedAt: doc.changedAt,
  };
}

/** Whether approvers would see the same document: title, party, total and every line. */
export function sameContent(a: ErpOrigin, b: ErpOrigin): boolean {
  if (a.title !== b.title || (a.party ?? '') !== (b.party ?? '') || compareMoney(a.total, b.total) !== 0 || a.lines.length !== b.lines.length) return false;
  return a.lines.every((l, i) => {
    const m = b.lines[i]!;
    return l.item === m.item && Number(l.quantity) === Number(m.quantity) && compareMoney(l.amount, m.amount) === 0;
  });
}
