import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import { formatLocalDateTime } from '../core/time-zone.ts';
import type { RequestErpDoc, RequestRecord, TaskRecord } from '../workflow/request-repo.ts';
import type { TimelineItem } from '../core/card-view.ts';
import { formatAmount } from './format-value.ts';

/** What the ERP reported for a request's document (shown on the requester's card). */
export type ErpDocView = RequestErpDoc;

/** The status timeline: submission, each approval step with who/when, then the ERP stages. */
export function requestTimeline(req: RequestRecord, tasks: TaskRecord[], erp: ErpDocView | undefined, name: (id: string) => string, locale: Locale, tz: string): TimelineItem[] {
  const at = (d: Date | null): string => (d ? formatLocalDateTime(d, tz) : '');
  const rev = req.revision > 1 ? ` (${t(locale, 'card.timeline.revision', { n: req.revision })})` : '';
  const submitted = t(locale, req.erpOrigin ? 'card.timeline.submittedInErp' : 'card.timeline.submitted');
  const items: TimelineItem[] = [{ label: submitted + rev, status: 'done', detail: `${name(req.requesterId)} · ${at(req.submittedAt)}` }];
  const current = tasks.filter((t) => t.revision === req.revision);
  for (const step of req.steps) {
    const st = current.filter((t) => t.stepIndex === step.index && t.status !== 'transferred');
    const label = step.mode === 'all' ? t(locale, 'card.timeline.allMustApprove', { step: step.name }) : step.name[locale];
    if (step.approvers.length === 0) {
      items.push({ label, status: 'skipped', detail: t(locale, 'card.timeline.selfSkipped') });
      continue;
    }
    const people = (st.length ? st : step.approvers.map((a) => ({ approverId: a, status: 'pending', actedAt: null, comment: null }))).map((task) => {
      const verb = task.status === 'approved' || task.status === 'rejected' ? t(locale, `card.timeline.${task.status}`) : '';
      const c = task.comment ? ` “${task.comment}”` : '';
      return `${name(task.approverId)}${verb ? ` ${verb}` : ''}${task.actedAt ? ` · ${at(task.actedAt)}` : ''}${c}`;
    }).join('; ');
    const status = st.some((t) => t.status === 'rejected') ? 'rejected'
      : st.length && st.every((t) => t.status === 'approved' || t.status === 'skipped') ? 'done'
      : req.status === 'pending' && req.currentStep === step.index ? 'current' : 'pending';
    items.push({ label, status, detail: people });
  }
  if (req.status === 'approved') items.push(...erpItems(req, erp, at, locale));
  return items;
}

/**
 * The ERP's own message when creating the document failed: the reason the request recorded with the failure
 * (erp_failed), else the document's last error.
 */
export function erpFailure(req: RequestRecord, erp: ErpDocView | undefined): string | undefined {
  const last = req.erpRef?.['lastError'];
  const reason = last && typeof last === 'object' && 'reason' in last && typeof last.reason === 'string' ? last.reason : undefined;
  return reason ?? erp?.lastError ?? undefined;
}

/** The currency the ERP reported for the request's document (CNY when it did not say). */
export function erpCurrency(req: RequestRecord): string | undefined {
  const c = req.erpRef?.['currency'];
  return typeof c === 'string' ? c : undefined;
}

const detail = (parts: (string | null | undefined | false)[]): { detail: string } | Record<string, never> => {
  const text = parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' · ');
  return text ? { detail: text } : {};
};

/**
 * The ERP stages of an approved request: the document (connector and the ERP's number), posted (time, voucher),
 * paid or partly paid (amount, time, bank reference where the ERP has them); a failure with the ERP's message.
 * Nothing for a request that needs no ERP document.
 */
function erpItems(req: RequestRecord, erp: ErpDocView | undefined, at: (d: Date | null) => string, locale: Locale): TimelineItem[] {
  const s = req.erpStatus;
  if (s === 'none' || s === 'not_required') return [];
  if (s === 'failed') return [{ label: t(locale, 'card.timeline.erpFailed'), status: 'rejected', ...detail([erpFailure(req, erp)]) }];
  const money = (m: string | null | undefined): string | undefined => (m ? formatAmount(m, erpCurrency(req)) : undefined);
  const created = erp !== undefined && s !== 'creating';
  const items: TimelineItem[] = [{ label: t(locale, 'card.timeline.erpCreated'), status: created ? 'done' : 'current', ...(created ? detail([`${erp.connector} ${erp.number ?? ''}`.trim()]) : {}) }];
  const posted = s === 'posted' || s === 'partially_paid' || s === 'paid';
  items.push({ label: t(locale, 'card.timeline.erpPosted'), status: posted ? 'done' : 'pending',
    ...(posted && erp ? detail([erp.postedAt && at(erp.postedAt), erp.voucher && t(locale, 'card.timeline.voucher', { voucher: erp.voucher })]) : {}) });
  const bank = erp?.bankRef ? t(locale, 'card.timeline.bankRef', { ref: erp.bankRef }) : undefined;
  if (s === 'partially_paid') {
    const paid = money(erp?.paidAmount);
    const total = money(erp?.amount);
    const amount = paid && total ? t(locale, 'card.timeline.paidOf', { paid, total }) : paid;
    items.push({ label: t(locale, 'card.timeline.erpPartlyPaid'), status: 'current', ...detail([amount, erp?.paidAt && at(erp.paidAt), bank]) });
    return items;
  }
  const paid = s === 'paid';
  items.push({ label: t(locale, 'card.timeline.erpPaid'), status: paid ? 'done' : 'pending',
    ...(paid && erp ? detail([money(erp.paidAmount ?? erp.amount), erp.paidAt && at(erp.paidAt), bank]) : {}) });
  return items;
}
