import type { IntentDefinition } from '../config/intent-schema.ts';
import type { Locale } from '../core/locale.ts';
import type { RequestRecord, TaskRecord } from '../workflow/request-repo.ts';
import type { ButtonView, CardBlock, CardTone, CardView } from '../core/card-view.ts';
import { formatFieldValue } from './format-value.ts';
import { requestTimeline, type ErpDocView } from './request-timeline.ts';

export interface RequestCardModel {
  request: RequestRecord;
  tasks: TaskRecord[];
  intent: IntentDefinition;
  erp: ErpDocView | undefined;
  viewer: string;
  role: 'requester' | 'approver';
  /** A person's display name (undefined: show the id). */
  nameOf: (id: string) => string | undefined;
  /** People an approver may transfer to (id, name, and their id on the card's platform when known). */
  colleagues: { id: string; name: string; externalId?: string }[];
  locale: Locale;
  timeZone: string;
}

const STATUS: Record<RequestRecord['status'], { zh: string; en: string; tone: CardTone }> = {
  draft: { zh: '草稿', en: 'Draft', tone: 'grey' },
  pending: { zh: '审批中', en: 'Pending approval', tone: 'blue' },
  approved: { zh: '已通过', en: 'Approved', tone: 'green' },
  rejected: { zh: '已驳回', en: 'Rejected', tone: 'red' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn', tone: 'grey' },
};

const ERP_STATUS: Record<RequestRecord['erpStatus'], { zh: string; en: string } | null> = {
  none: null, creating: { zh: '生成 ERP 单据中', en: 'creating ERP document' }, created: { zh: '待入账', en: 'awaiting posting' },
  posted: { zh: '已入账', en: 'posted' }, paid: { zh: '已付款', en: 'paid' }, failed: { zh: 'ERP 同步失败', en: 'ERP sync failed' },
};

/** The card one participant sees for a request. Approvers get action inputs while their task is pending. */
export function buildRequestCard(m: RequestCardModel): CardView {
  const { request: r, intent, locale } = m;
  const name = (id: string): string => m.nameOf(id) ?? id;
  const status = STATUS[r.status];
  const erp = r.status === 'approved' ? ERP_STATUS[r.erpStatus] : null;
  const tone: CardTone = r.erpStatus === 'paid' ? 'purple' : status.tone;
  const blocks: CardBlock[] = [
    { type: 'fields', fields: [
      { label: locale === 'zh' ? '申请人' : 'Requester', value: name(r.requesterId) },
      { label: locale === 'zh' ? '状态' : 'Status', value: status[locale] + (erp ? ` · ${erp[locale]}` : '') },
      ...intent.fields.filter((f) => r.fields[f.name] !== undefined && r.fields[f.name] !== '').map((f) => ({ label: f.label[locale], value: formatFieldValue(f, r.fields[f.name], locale, name) })),
    ] },
  ];
  if (r.rejectReason && r.status === 'rejected') blocks.push({ type: 'note', text: `${locale === 'zh' ? '驳回原因' : 'Reason'}: ${r.rejectReason}` });
  blocks.push({ type: 'timeline', items: requestTimeline(r, m.tasks, m.erp, name, locale, m.timeZone) });
  blocks.push(...(m.role === 'approver' ? approverActions(m) : requesterActions(m)));
  return { title: `${intent.name[locale]} · ${r.number}`, subtitle: status[locale], tone, blocks, key: `request:${r.id}:${m.role}:${m.viewer}` };
}

function approverActions(m: RequestCardModel): CardBlock[] {
  const { request: r, locale } = m;
  const task = m.tasks.find((t) => t.revision === r.revision && t.approverId === m.viewer && t.status === 'pending');
  if (!task || r.status !== 'pending') {
    const mine = [...m.tasks].reverse().find((t) => t.approverId === m.viewer && t.status !== 'pending');
    const done = mine ? { approved: ['你已同意', 'You approved'], rejected: ['你已驳回', 'You rejected'], transferred: ['你已转交', 'You transferred this'], skipped: ['已由他人处理', 'Handled by someone else'], cancelled: ['已取消', 'Cancelled'] }[mine.status as 'approved'] : undefined;
    return done ? [{ type: 'note', text: done[locale === 'zh' ? 0 : 1] ?? '' }] : [];
  }
  const v = { requestId: r.id, taskId: task.id };
  const buttons: ButtonView[] = [
    { actionId: 'approve', label: locale === 'zh' ? '同意' : 'Approve', style: 'primary', value: { ...v, op: 'approve' } },
    { actionId: 'reject', label: locale === 'zh' ? '驳回' : 'Reject', style: 'danger', value: { ...v, op: 'reject' } },
    { actionId: 'transfer', label: locale === 'zh' ? '转交' : 'Transfer', style: 'default', value: { ...v, op: 'transfer' } },
    { actionId: 'comment', label: locale === 'zh' ? '仅评论' : 'Comment only', style: 'default', value: { requestId: r.id, op: 'comment' } },
  ];
  return [{
    type: 'form', formId: `task-${task.id}`, buttons, inputs: [
      { name: 'comment', label: locale === 'zh' ? '意见（驳回时必填）' : 'Comment (required to reject)', type: 'textarea', required: false },
      { name: 'transfer_to', label: locale === 'zh' ? '转交给' : 'Transfer to', type: 'user', required: false,
        options: m.colleagues.filter((c) => c.id !== m.viewer && c.id !== r.requesterId)
          .map((c) => ({ value: c.id, label: c.name, ...(c.externalId ? { externalId: c.externalId } : {}) })) },
    ],
  }];
}

function requesterActions(m: RequestCardModel): CardBlock[] {
  const { request: r, locale } = m;
  const v = { requestId: r.id };
  if (r.status === 'pending') {
    return [{ type: 'form', formId: `request-${r.id}`, inputs: [{ name: 'comment', label: locale === 'zh' ? '留言给审批人' : 'Message to approvers', type: 'textarea', required: false }], buttons: [
      { actionId: 'remind', label: locale === 'zh' ? '催办' : 'Remind', style: 'default', value: { ...v, op: 'remind' }, sendsForm: false },
      { actionId: 'comment', label: locale === 'zh' ? '评论' : 'Comment', style: 'default', value: { ...v, op: 'comment' } },
      { actionId: 'withdraw', label: locale === 'zh' ? '撤回' : 'Withdraw', style: 'danger', value: { ...v, op: 'withdraw' }, sendsForm: false,
        confirm: { title: locale === 'zh' ? '撤回申请？' : 'Withdraw?', text: locale === 'zh' ? '撤回后审批将终止。' : 'Approval stops for everyone.' } },
    ] }];
  }
  if (r.status === 'rejected' || r.status === 'withdrawn') {
    return [{ type: 'actions', buttons: [{ actionId: 'resubmit', label: locale === 'zh' ? '修改后重新提交' : 'Edit and resubmit', style: 'primary', value: { ...v, op: 'resubmit' } }] }];
  }
  return [];
}
