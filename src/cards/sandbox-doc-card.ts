import type { CardView } from '../core/card-view.ts';
import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import { button } from './card-actions.ts';
import { formatAmount } from './format-value.ts';

/** A sandbox ERP document as its operator card shows it (a row of erp_documents). */
export interface SandboxDocView { id: string; number: string | null; status: string; amount: string | null; bank_ref: string | null }

/** The statuses of the sandbox ledger's documents (erp/connectors/sandbox.ts). */
const DOC_STATUSES = ['saved', 'submitted', 'approved', 'posted', 'paid'] as const;
const isDocStatus = (s: string): s is (typeof DOC_STATUSES)[number] => (DOC_STATUSES as readonly string[]).includes(s);

/** A document status in words: the catalog's, or the ledger's own word for one it does not know. */
export function sandboxDocStatus(locale: Locale, status: string): string {
  return isDocStatus(status) ? t(locale, `erp.docStatus.${status}`) : status;
}

/**
 * The card a sandbox operator uses to move a document: Post an approved one, then Pay a posted one with a bank
 * reference (the ledger refuses to pay what it has not booked, so Pay is not offered before the posting).
 */
export function sandboxDocCard(doc: SandboxDocView, requestNumber: string, locale: Locale): CardView {
  const status = sandboxDocStatus(locale, doc.status);
  return {
    title: t(locale, 'card.sandbox.title', { number: doc.number ?? '' }), subtitle: `${requestNumber} · ${status}`, tone: doc.status === 'paid' ? 'purple' : 'grey', key: `erpdoc:${doc.id}`,
    blocks: [
      { type: 'note', text: t(locale, 'card.sandbox.note') },
      { type: 'fields', fields: [
        { label: t(locale, 'card.sandbox.request'), value: requestNumber }, { label: t(locale, 'card.sandbox.amount'), value: formatAmount(doc.amount ?? '0.00') },
        { label: t(locale, 'card.sandbox.status'), value: status }, ...(doc.bank_ref ? [{ label: t(locale, 'card.sandbox.bankRef'), value: doc.bank_ref }] : []),
      ] },
      ...(doc.status === 'approved' ? [{ type: 'actions' as const, buttons: [button({ op: 'erp.post', docId: doc.id }, t(locale, 'card.sandbox.post'), 'primary')] }] : []),
      ...(doc.status === 'posted' ? [{
        type: 'form' as const, formId: `erpdoc-${doc.id}`,
        inputs: [{ name: 'bank_ref', label: t(locale, 'card.sandbox.bankRefInput'), type: 'text' as const, required: false }],
        buttons: [button({ op: 'erp.pay', docId: doc.id }, t(locale, 'card.sandbox.pay'), 'primary')],
      }] : []),
    ],
  };
}
