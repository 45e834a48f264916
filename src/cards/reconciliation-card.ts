import type { CardBlock, CardView } from '../core/card-view.ts';
import type { Locale } from '../core/locale.ts';
import { formatLocalDateTime } from '../core/time-zone.ts';
import { t, type PlainKey } from '../i18n/catalog.ts';
import { formatAmount } from './format-value.ts';

/** A reconciliation finding as the digest shows it (a row of recon_findings, its request's number looked up). */
export interface ReconItemView {
  kind: string;
  requestNumber: string | null;
  connector: string | null;
  erpId: string | null;
  details: Record<string, unknown>;
}

export interface ReconDigestOptions {
  locale: Locale;
  timeZone: string;
  /** `finance`: the reconciliation digest; `drift`: directory and master-data drift, for admins. */
  scope: 'finance' | 'drift';
  /** Stable id of the card (its subject). */
  key: string;
}

/** The order kinds are listed in, and their headings. A kind not here (added later) is listed under its own name. */
const KIND_LABELS: Record<string, PlainKey> = {
  approved_without_document: 'card.recon.kind.approved_without_document',
  amount_mismatch: 'card.recon.kind.amount_mismatch',
  approved_in_erp_without_chat: 'card.recon.kind.approved_in_erp_without_chat',
  posted_unpaid: 'card.recon.kind.posted_unpaid',
  duplicate_documents: 'card.recon.kind.duplicate_documents',
  'drift.departed_approver': 'card.recon.kind.drift.departed_approver',
  'drift.renamed': 'card.recon.kind.drift.renamed',
  'drift.unlinked_person': 'card.recon.kind.drift.unlinked_person',
};

/** Lines per kind: a digest stays readable (and under the platforms' card size limits) after a long outage. */
export const MAX_LINES_PER_KIND = 15;

/** One card listing new findings grouped by kind, each with its request number and ERP document (instance, number, id). */
export function reconciliationDigestCard(items: ReconItemView[], o: ReconDigestOptions): CardView {
  const { locale } = o;
  const kinds = [...new Set(items.map((i) => i.kind))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const blocks: CardBlock[] = [];
  for (const kind of kinds) {
    const mine = items.filter((i) => i.kind === kind);
    if (blocks.length) blocks.push({ type: 'divider' });
    const label = KIND_LABELS[kind];
    blocks.push({ type: 'text', text: t(locale, 'card.recon.heading', { kind: label ? t(locale, label) : kind, count: mine.length }) });
    blocks.push({ type: 'fields', fields: mine.slice(0, MAX_LINES_PER_KIND).map((i) => line(i, o)) });
    if (mine.length > MAX_LINES_PER_KIND) blocks.push({ type: 'note', text: t(locale, 'card.recon.more', { count: mine.length - MAX_LINES_PER_KIND }) });
  }
  blocks.push({ type: 'note', text: t(locale, o.scope === 'finance' ? 'card.recon.note' : 'card.recon.driftNote') });
  return {
    title: t(locale, o.scope === 'finance' ? 'card.recon.title' : 'card.recon.driftTitle', { count: items.length }),
    tone: o.scope === 'finance' ? 'orange' : 'purple', key: o.key, blocks,
  };
}

/** A request's ERP side before it has a document, and a request's own status, in words. */
const ERP_STATUS_WORDS: Record<string, PlainKey> = {
  none: 'card.recon.erpStatus.none', creating: 'card.recon.erpStatus.creating', failed: 'card.recon.erpStatus.failed',
};
const REQUEST_STATUS_WORDS: Record<string, PlainKey> = {
  draft: 'card.recon.requestStatus.draft', pending: 'card.recon.requestStatus.pending', rejected: 'card.recon.requestStatus.rejected',
  withdrawn: 'card.recon.requestStatus.withdrawn',
};
const word = (locale: Locale, words: Record<string, PlainKey>, v: unknown): string => {
  const s = str(v);
  const key = s ? words[s] : undefined;
  return key ? t(locale, key) : (s ?? '—');
};

const rank = (kind: string): number => {
  const i = Object.keys(KIND_LABELS).indexOf(kind);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/** The ERP document as people find it: instance, then its number and id (or the id alone). */
function documentRef(i: ReconItemView): string | null {
  if (!i.connector || !i.erpId) return null;
  const number = str(i.details['documentNumber']);
  return number && number !== i.erpId ? `${i.connector} ${number} (#${i.erpId})` : `${i.connector} #${i.erpId}`;
}

function line(i: ReconItemView, o: ReconDigestOptions): { label: string; value: string } {
  const { locale } = o;
  const d = i.details;
  const when = (v: unknown): string => {
    const s = str(v);
    const at = s ? new Date(s) : null;
    return at && !Number.isNaN(at.getTime()) ? formatLocalDateTime(at, o.timeZone) : '—';
  };
  const money = (v: unknown): string => (str(v) ? formatAmount(str(v)!) : '—');
  const request = i.requestNumber ?? str(d['requestNumber']);
  const doc = documentRef(i);
  const both = [request, doc].filter((x): x is string => !!x).join(' · ') || i.erpId || '—';
  switch (i.kind) {
    case 'approved_without_document': {
      const error = str(d['lastError']);
      return {
        label: request ?? '—',
        value: t(locale, 'card.recon.line.approvedWithoutDocument', { at: when(d['decidedAt']), status: word(locale, ERP_STATUS_WORDS, d['erpStatus']) })
          + (error ? t(locale, 'card.recon.line.lastError', { error: error.slice(0, 200) }) : ''),
      };
    }
    case 'amount_mismatch':
      return { label: both, value: t(locale, d['basis'] === 'paid' ? 'card.recon.line.amountPaid' : 'card.recon.line.amountTotal', { approved: money(d['approved']), erp: money(d['erp']) }) };
    case 'approved_in_erp_without_chat': {
      const link = str(d['link']);
      const chat = request ? t(locale, 'card.recon.line.chatRequest', { number: request, status: word(locale, REQUEST_STATUS_WORDS, d['requestStatus']) }) : t(locale, 'card.recon.line.noChatRequest');
      return { label: doc ?? '—', value: link ? `${chat} · ${link}` : chat };
    }
    case 'posted_unpaid':
      return { label: both, value: t(locale, 'card.recon.line.postedUnpaid', { at: when(d['postedAt']), paid: money(d['paid'] ?? '0'), amount: money(d['amount']) }) };
    case 'duplicate_documents': {
      const docs = Array.isArray(d['documents']) ? d['documents'].map(str).filter((x): x is string => !!x) : [];
      return { label: request ?? '—', value: t(locale, 'card.recon.line.duplicates', { documents: (docs.length ? docs : [doc ?? '—']).join(', ') }) };
    }
    case 'drift.departed_approver':
      return {
        label: str(d['approverName']) ?? '—',
        value: t(locale, d['leftIn'] === 'erp' ? 'card.recon.line.departedErp' : 'card.recon.line.departedDirectory', { number: request ?? '—' }),
      };
    case 'drift.renamed':
      return {
        label: [i.connector, str(d['masterKind'])].filter(Boolean).join(' · ') || '—',
        value: t(locale, 'card.recon.line.renamed', { old: str(d['oldName']) ?? '—', new: str(d['newName']) ?? '—' }),
      };
    default:
      return { label: both, value: str(d['summary']) ?? str(d['name']) ?? i.kind };
  }
}
