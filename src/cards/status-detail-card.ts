import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { CardView } from '../core/card-view.ts';
import type { Locale } from '../core/locale.ts';
import { formatLocalDateTime } from '../core/time-zone.ts';
import { t } from '../i18n/catalog.ts';
import type { RequestErpDoc, RequestRecord } from '../workflow/request-repo.ts';
import { erpNumberOf } from './erp-origin-view.ts';
import { formatAmount } from './format-value.ts';
import { stageOf } from './status-list-card.ts';

/**
 * The answer to "was my travel claim paid?" when the words pick out one request: which request (number,
 * kind, when submitted), its stage, who holds it while pending, the amount, and the ERP side from the
 * request's latest ERP document: its number, posted (when), paid (how much, when).
 */
export function buildStatusDetailCard(r: RequestRecord, doc: RequestErpDoc | undefined, catalog: IntentCatalog, locale: Locale, timeZone: string, holders: readonly string[] = []): CardView {
  const at = (d: Date): string => formatLocalDateTime(d, timeZone);
  const currency = r.erpOrigin?.currency;
  const fields: { label: string; value: string }[] = [{ label: t(locale, 'card.statusOne.stage'), value: stageOf(r, locale, []) }];
  if (r.status === 'pending' && holders.length) {
    fields.push({ label: t(locale, 'card.statusOne.holder'), value: holders.join(t(locale, 'card.status.nameSeparator')) });
  }
  if (r.amount) fields.push({ label: t(locale, 'card.statusOne.amount'), value: formatAmount(r.amount, currency) });
  const erpNumber = doc?.number ?? (r.erpOrigin ? erpNumberOf(r.erpOrigin) : null);
  if (erpNumber) fields.push({ label: t(locale, 'card.statusOne.erpNumber'), value: erpNumber });
  if (r.status === 'approved' && r.erpStatus === 'not_required') {
    fields.push({ label: t(locale, 'card.statusOne.posted'), value: t(locale, 'card.statusOne.noErp') });
  } else if (r.status === 'approved' && !r.erpOrigin) {
    fields.push({ label: t(locale, 'card.statusOne.posted'), value: doc?.postedAt ? t(locale, 'card.statusOne.postedAt', { at: at(doc.postedAt) }) : t(locale, 'card.statusOne.notPosted') });
    const paid = doc?.paidAmount ?? (r.erpStatus === 'paid' ? doc?.amount ?? r.amount : null);
    fields.push({
      label: t(locale, 'card.statusOne.paid'),
      value: doc?.paidAt && paid ? t(locale, 'card.statusOne.paidAt', { amount: formatAmount(paid, currency), at: at(doc.paidAt) }) : t(locale, 'card.statusOne.notPaid'),
    });
  }
  const name = catalog.get(r.intentKey)?.name[locale] ?? r.intentKey;
  const paidOut = r.erpStatus === 'paid';
  return {
    title: `${r.number} ${name}`,
    subtitle: t(locale, 'card.statusOne.submitted', { at: at(r.submittedAt) }),
    tone: paidOut ? 'green' : r.status === 'rejected' ? 'red' : 'blue',
    key: 'status',
    blocks: [{ type: 'fields', fields }],
  };
}
