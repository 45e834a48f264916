import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import { formatMoney } from '../core/money.ts';
import { formatLocalDateTime } from '../core/time-zone.ts';
import type { RequestErpDoc, RequestRecord, TaskRecord } from '../workflow/request-repo.ts';
import type { TimelineItem } from '../core/card-view.ts';

/** What the ERP reported for a request's document (shown on the requester's card). */
export type ErpDocView = RequestErpDoc;

/** The status timeline: submission, each approval step with who/when, then the ERP stages. */
export function requestTimeline(req: RequestRecord, tasks: TaskRecord[], erp: ErpDocView | undefined, name: (id: string) => string, locale: Locale, tz: string): TimelineItem[] {
  const at = (d: Date | null): string => (d ? formatLocalDateTime(d, tz) : '');
  const rev = req.revision > 1 ? ` (${t(locale, 'card.timeline.revision', { n: req.revision })})` : '';
  const items: TimelineItem[] = [{ label: t(locale, 'card.timeline.submitted') + rev, status: 'done', detail: `${name(req.requesterId)} · ${at(req.submittedAt)}` }];
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

function erpItems(req: RequestRecord, erp: ErpDocView | undefined, at: (d: Date | null) => string, locale: Locale): TimelineItem[] {
  if (req.erpStatus === 'failed') return [{ label: t(locale, 'card.timeline.erpFailed'), status: 'rejected' }];
  const created = erp && req.erpStatus !== 'creating' && req.erpStatus !== 'none';
  const items: TimelineItem[] = [{ label: t(locale, 'card.timeline.erpCreated'), status: created ? 'done' : 'current', ...(created ? { detail: `${erp.connector} ${erp.number ?? ''}`.trim() } : {}) }];
  const posted = req.erpStatus === 'posted' || req.erpStatus === 'paid';
  items.push({ label: t(locale, 'card.timeline.erpPosted'), status: posted ? 'done' : 'pending', ...(posted && erp?.postedAt ? { detail: at(erp.postedAt) } : {}) });
  const paid = req.erpStatus === 'paid';
  const paidDetail = paid && erp ? `¥${formatMoney(erp.paidAmount ?? erp.amount ?? '0.00')} · ${at(erp.paidAt)}${erp.bankRef ? ` · ${t(locale, 'card.timeline.bankRef', { ref: erp.bankRef })}` : ''}` : undefined;
  items.push({ label: t(locale, 'card.timeline.erpPaid'), status: paid ? 'done' : 'pending', ...(paidDetail ? { detail: paidDetail } : {}) });
  return items;
}
