import type { IntentCatalog } from '../config/intent-catalog.ts';
import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import { formatAmount } from './format-value.ts';
import { currentDecision, erpNumberOf } from './erp-origin-view.ts';
import type { RequestRecord } from '../workflow/request-repo.ts';
import type { CardView } from '../core/card-view.ts';

/**
 * "Where is my …": the user's recent requests and the stage each one is at: the approval step and who
 * holds it (`waitingOn`: request id → approver names), then the ERP side (document, posted, paid). A request made
 * in the ERP shows the ERP's number, and once approved, what the ERP did with the decision.
 */
/** Where a request stands in one line: the approval step and who holds it, or what the ERP did with it. */
export function stageOf(r: RequestRecord, locale: Locale, who: readonly string[]): string {
  const stepName = r.steps.find((s) => s.index === r.currentStep)?.name[locale] ?? '';
  const step = !who.length ? stepName : t(locale, 'card.status.waitingOn', { step: stepName, names: who.join(t(locale, 'card.status.nameSeparator')) });
  const o = r.erpOrigin;
  const approved = (): string => {
    if (!o) return t(locale, `card.status.erp.${r.erpStatus}`);
    // The decision goes back once approval completes: until the ERP answers, it is on its way.
    const d = currentDecision(o, r.revision);
    return t(locale, `card.status.origin.${d?.status ?? 'sending'}`);
  };
  return r.status === 'approved' ? approved()
    : r.status === 'pending' ? t(locale, 'card.status.stage.pending', { step }) : t(locale, `card.status.stage.${r.status}`);
}

export function buildStatusListCard(requests: RequestRecord[], catalog: IntentCatalog, locale: Locale, waitingOn: Map<string, string[]> = new Map()): CardView {
  const title = t(locale, 'card.status.title');
  if (requests.length === 0) {
    return { title, tone: 'blue', key: 'status', blocks: [{ type: 'text', text: t(locale, 'card.status.empty') }] };
  }
  const fields = requests.map((r) => {
    const o = r.erpOrigin;
    const stage = stageOf(r, locale, waitingOn.get(r.id) ?? []);
    const amount = r.amount ? ` · ${formatAmount(r.amount, o?.currency)}` : '';
    const erpNumber = o ? ` · ${t(locale, 'card.status.erpNumber', { number: erpNumberOf(o) })}` : '';
    return { label: `${r.number} ${catalog.get(r.intentKey)?.name[locale] ?? r.intentKey}${erpNumber}${amount}`, value: stage };
  });
  return { title, subtitle: t(locale, 'card.status.latest', { count: requests.length }), tone: 'blue', key: 'status', blocks: [{ type: 'fields', fields }] };
}
