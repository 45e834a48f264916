import type { CardBlock } from '../core/card-view.ts';
import { webUrl } from '../core/card-view.ts';
import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import type { ErpOrigin } from '../workflow/approval-states.ts';
import { formatAmount } from './format-value.ts';

/**
 * How a card shows the ERP document an ERP-originated request approves (RequestRecord.erpOrigin): its number,
 * title, owner, lines, total, party, its state in the ERP, a link to it, and what became of the decision sent back.
 */

/** Lines shown on a card; the rest are counted ("and N more"), so a long document keeps the card readable. */
export const MAX_ORIGIN_LINES = 10;

const STATES = new Set(['draft', 'waiting', 'approved', 'rejected', 'cancelled', 'deleted']);
type KnownState = 'draft' | 'waiting' | 'approved' | 'rejected' | 'cancelled' | 'deleted';
const isKnown = (s: string): s is KnownState => STATES.has(s);

/** The document's state in the ERP, in the reader's language (a state we do not know is shown as the ERP said it). */
export function erpStateLabel(state: string, locale: Locale): string {
  return isKnown(state) ? t(locale, `card.erpOrigin.state.${state}`) : state;
}

/** The decision sent back for the request's current revision; one for an earlier revision is no longer news. */
export function currentDecision(o: ErpOrigin, revision: number): ErpOrigin['decision'] {
  return o.decision && o.decision.revision === revision ? o.decision : undefined;
}

/** "2.000" → "2", "1.50" → "1.5": quantities as people write them (ERPs often send fixed decimals). */
function quantity(q: string): string {
  return /^-?\d+\.\d+$/.test(q) ? q.replace(/0+$/, '').replace(/\.$/, '') : q;
}

/** The ERP's number for the document, else its id (some ERPs number a document only when it is posted). */
export const erpNumberOf = (o: ErpOrigin): string => o.number ?? o.erpId;

/** What became of the decision sent back to the ERP, in one sentence. */
export function decisionText(d: NonNullable<ErpOrigin['decision']>, locale: Locale): string {
  if (d.status === 'failed') return t(locale, 'card.erpOrigin.decision.failed', { error: d.error?.trim() || t(locale, 'card.erpOrigin.noReason') });
  return t(locale, `card.erpOrigin.decision.${d.status}.${d.decision}`);
}

/** The "ERP document" section of a card: the document's facts, its lines, the link to it, the decision's outcome. */
export function erpOriginBlocks(o: ErpOrigin, revision: number, locale: Locale): CardBlock[] {
  const money = (m: string): string => formatAmount(m, o.currency);
  const blocks: CardBlock[] = [
    { type: 'divider' },
    { type: 'fields', fields: [
      { label: t(locale, 'card.erpOrigin.document'), value: erpNumberOf(o) },
      ...(o.title ? [{ label: t(locale, 'card.erpOrigin.title'), value: o.title }] : []),
      { label: t(locale, 'card.erpOrigin.owner'), value: o.owner.name || o.owner.erpId },
      ...(o.party ? [{ label: t(locale, 'card.erpOrigin.party'), value: o.party }] : []),
      { label: t(locale, 'card.erpOrigin.total'), value: money(o.total) },
      { label: t(locale, 'card.erpOrigin.state'), value: erpStateLabel(o.state, locale) },
    ] },
  ];
  const shown = o.lines.slice(0, MAX_ORIGIN_LINES);
  if (shown.length > 0) {
    blocks.push({ type: 'fields', fields: shown.map((l) => ({
      label: l.item,
      value: t(locale, 'card.erpOrigin.line', { quantity: `${quantity(l.quantity)}${l.unit ? ` ${l.unit}` : ''}`, amount: money(l.amount) }),
    })) });
  }
  const more = o.lines.length - shown.length;
  if (more > 0) blocks.push({ type: 'note', text: t(locale, 'card.erpOrigin.moreLines', { count: more }) });
  const link = webUrl(o.link);
  if (link) blocks.push({ type: 'link', label: t(locale, 'card.erpOrigin.open'), url: link });
  const d = currentDecision(o, revision);
  if (d) blocks.push({ type: 'note', text: decisionText(d, locale) });
  blocks.push({ type: 'divider' });
  return blocks;
}
