import type { Locale } from '../core/locale.ts';
import { formatMoney } from '../core/money.ts';
import { formatLocalDateTime } from '../core/time-zone.ts';
import type { RequestErpDoc, RequestRecord, TaskRecord } from '../workflow/request-repo.ts';
import type { TimelineItem } from '../core/card-view.ts';

/** What the ERP reported for a request's document (shown on the requester's card). */
export type ErpDocView = RequestErpDoc;

const L = {
  submitted: { zh: '提交申请', en: 'Submitted' },
  erpCreated: { zh: 'ERP 单据已生成', en: 'ERP document created' },
  erpPosted: { zh: '已入账', en: 'Posted' },
  erpPaid: { zh: '已付款', en: 'Paid' },
  erpFailed: { zh: 'ERP 单据生成失败，正在重试', en: 'ERP document failed; retrying' },
  revision: { zh: '第 {n} 次提交', en: 'revision {n}' },
};

/** The status timeline: submission, each approval step with who/when, then the ERP stages. */
export function requestTimeline(req: RequestRecord, tasks: TaskRecord[], erp: ErpDocView | undefined, name: (id: string) => string, locale: Locale, tz: string): TimelineItem[] {
  const at = (d: Date | null): string => (d ? formatLocalDateTime(d, tz) : '');
  const rev = req.revision > 1 ? ` (${L.revision[locale].replace('{n}', String(req.revision))})` : '';
  const items: TimelineItem[] = [{ label: L.submitted[locale] + rev, status: 'done', detail: `${name(req.requesterId)} · ${at(req.submittedAt)}` }];
  const current = tasks.filter((t) => t.revision === req.revision);
  for (const step of req.steps) {
    const st = current.filter((t) => t.stepIndex === step.index && t.status !== 'transferred');
    const label = step.name[locale] + (step.mode === 'all' ? (locale === 'zh' ? '（会签）' : ' (all must approve)') : '');
    if (step.approvers.length === 0) {
      items.push({ label, status: 'skipped', detail: locale === 'zh' ? '申请人本人，自动跳过' : 'requester is the approver; skipped' });
      continue;
    }
    const people = (st.length ? st : step.approvers.map((a) => ({ approverId: a, status: 'pending', actedAt: null, comment: null }))).map((t) => {
      const verb = t.status === 'approved' ? (locale === 'zh' ? '同意' : 'approved') : t.status === 'rejected' ? (locale === 'zh' ? '驳回' : 'rejected') : '';
      const c = t.comment ? ` “${t.comment}”` : '';
      return `${name(t.approverId)}${verb ? ` ${verb}` : ''}${t.actedAt ? ` · ${at(t.actedAt)}` : ''}${c}`;
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
  if (req.erpStatus === 'failed') return [{ label: L.erpFailed[locale], status: 'rejected' }];
  const created = erp && req.erpStatus !== 'creating' && req.erpStatus !== 'none';
  const items: TimelineItem[] = [{ label: L.erpCreated[locale], status: created ? 'done' : 'current', ...(created ? { detail: `${erp.connector} ${erp.number ?? ''}`.trim() } : {}) }];
  const posted = req.erpStatus === 'posted' || req.erpStatus === 'paid';
  items.push({ label: L.erpPosted[locale], status: posted ? 'done' : 'pending', ...(posted && erp?.postedAt ? { detail: at(erp.postedAt) } : {}) });
  const paid = req.erpStatus === 'paid';
  const paidDetail = paid && erp ? `¥${formatMoney(erp.paidAmount ?? erp.amount ?? '0.00')} · ${at(erp.paidAt)}${erp.bankRef ? ` · ${locale === 'zh' ? '流水号' : 'bank ref'} ${erp.bankRef}` : ''}` : undefined;
  items.push({ label: L.erpPaid[locale], status: paid ? 'done' : 'pending', ...(paidDetail ? { detail: paidDetail } : {}) });
  return items;
}
