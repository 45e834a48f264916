import type { IntentDefinition } from '../config/intent-schema.ts';
import type { Locale } from '../core/locale.ts';
import { t } from '../i18n/catalog.ts';
import type { RequestRecord, TaskRecord } from '../workflow/request-repo.ts';
import type { ButtonView, CardBlock, CardTone, CardView } from '../core/card-view.ts';
import { button } from './card-actions.ts';
import { currentDecision, erpOriginBlocks } from './erp-origin-view.ts';
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

const TONE: Record<RequestRecord['status'], CardTone> = { draft: 'grey', pending: 'blue', approved: 'green', rejected: 'red', withdrawn: 'grey' };

/**
 * What an approved request's card adds to its status: where its ERP document is (nothing before one is asked
 * for), or that it is complete when it needs none.
 */
function erpStage(locale: Locale, erp: RequestRecord['erpStatus']): string | null {
  return erp === 'none' ? null : t(locale, `card.request.erp.${erp}`);
}

/** Orange when something needs a person: the ERP document could not be made, or the ERP refused the decision sent back. */
function tone(r: RequestRecord): CardTone {
  const refused = r.erpOrigin !== null && currentDecision(r.erpOrigin, r.revision)?.status === 'failed';
  if (refused) return 'orange';
  return r.status !== 'approved' ? TONE[r.status] : r.erpStatus === 'paid' ? 'purple' : r.erpStatus === 'failed' ? 'orange' : TONE.approved;
}

/** The card one participant sees for a request. Approvers get action inputs while their task is pending. */
export function buildRequestCard(m: RequestCardModel): CardView {
  const { request: r, intent, locale } = m;
  const name = (id: string): string => m.nameOf(id) ?? id;
  const status = t(locale, `card.request.status.${r.status}`);
  // An ERP-originated request has no ERP document of ours ('not_required'): its ERP section says what the ERP did.
  const erp = r.status === 'approved' && !r.erpOrigin ? erpStage(locale, r.erpStatus) : null;
  const blocks: CardBlock[] = [
    { type: 'fields', fields: [
      { label: t(locale, 'card.request.requester'), value: name(r.requesterId) },
      { label: t(locale, 'card.request.status'), value: status + (erp ? ` · ${erp}` : '') },
      ...intent.fields.filter((f) => r.fields[f.name] !== undefined && r.fields[f.name] !== '').map((f) => ({ label: f.label[locale], value: formatFieldValue(f, r.fields[f.name], locale, name) })),
    ] },
  ];
  if (r.erpOrigin) blocks.push(...erpOriginBlocks(r.erpOrigin, r.revision, locale));
  if (r.rejectReason && r.status === 'rejected') blocks.push({ type: 'note', text: t(locale, 'card.request.rejectReason', { reason: r.rejectReason }) });
  blocks.push({ type: 'timeline', items: requestTimeline(r, m.tasks, m.erp, name, locale, m.timeZone) });
  // The ERP's message is on the timeline; the requester also learns that it can be put right.
  if (m.role === 'requester' && r.status === 'approved' && r.erpStatus === 'failed') blocks.push({ type: 'note', text: t(locale, 'card.request.erpReplay') });
  blocks.push(...(m.role === 'approver' ? approverActions(m) : requesterActions(m)));
  return { title: `${intent.name[locale]} · ${r.number}`, subtitle: status, tone: tone(r), blocks, key: `request:${r.id}:${m.role}:${m.viewer}` };
}

function approverActions(m: RequestCardModel): CardBlock[] {
  const { request: r, locale } = m;
  const task = m.tasks.find((t) => t.revision === r.revision && t.approverId === m.viewer && t.status === 'pending');
  if (!task || r.status !== 'pending') {
    const mine = m.tasks.filter((t) => t.approverId === m.viewer);
    // Every task of theirs is of an earlier revision: the request was resubmitted (in chat or in the ERP) without them, so far.
    if (mine.length > 0 && mine.every((t) => t.revision < r.revision)) return [{ type: 'note', text: t(locale, 'card.request.superseded', { n: r.revision }) }];
    const last = [...mine].reverse().find((t) => t.status !== 'pending');
    return last && last.status !== 'pending' ? [{ type: 'note', text: t(locale, `card.request.done.${last.status}`) }] : [];
  }
  const v = { requestId: r.id, taskId: task.id };
  const buttons: ButtonView[] = [
    button({ op: 'approve', ...v }, t(locale, 'card.request.approve'), 'primary'),
    button({ op: 'reject', ...v }, t(locale, 'card.request.reject'), 'danger'),
    button({ op: 'transfer', ...v }, t(locale, 'card.request.transfer'), 'default'),
    button({ op: 'comment', requestId: r.id }, t(locale, 'card.request.commentOnly'), 'default'),
  ];
  return [{
    type: 'form', formId: `task-${task.id}`, buttons, inputs: [
      { name: 'comment', label: t(locale, 'card.request.opinion'), type: 'textarea', required: false },
      { name: 'transfer_to', label: t(locale, 'card.request.transferTo'), type: 'user', required: false,
        options: m.colleagues.filter((c) => c.id !== m.viewer && c.id !== r.requesterId)
          .map((c) => ({ value: c.id, label: c.name, ...(c.externalId ? { externalId: c.externalId } : {}) })) },
    ],
  }];
}

/**
 * The requester's inputs. A document made in the ERP is withdrawn and edited there (the machine refuses both with
 * workflow.erp_owned), so its card offers neither: a rejected one says where to put it right instead.
 */
function requesterActions(m: RequestCardModel): CardBlock[] {
  const { request: r, locale } = m;
  const v = { requestId: r.id };
  const owned = r.erpOrigin !== null;
  if (r.status === 'pending') {
    return [{ type: 'form', formId: `request-${r.id}`, inputs: [{ name: 'comment', label: t(locale, 'card.request.messageToApprovers'), type: 'textarea', required: false }], buttons: [
      button({ op: 'remind', ...v }, t(locale, 'card.request.remind'), 'default', { sendsForm: false }),
      button({ op: 'comment', ...v }, t(locale, 'card.request.comment'), 'default'),
      ...(owned ? [] : [button({ op: 'withdraw', ...v }, t(locale, 'card.request.withdraw'), 'danger', {
        sendsForm: false, confirm: { title: t(locale, 'card.request.withdrawTitle'), text: t(locale, 'card.request.withdrawText') } })]),
    ] }];
  }
  if (owned) {
    // Back to its owner in the ERP (rejected here, or taken back to draft there): put right and resubmitted there.
    const back = r.status === 'rejected' || (r.status === 'withdrawn' && (r.erpOrigin?.state === 'draft' || r.erpOrigin?.state === 'rejected'));
    return back ? [{ type: 'note', text: t(locale, 'card.request.editInErp') }] : [];
  }
  if (r.status === 'rejected' || r.status === 'withdrawn') {
    return [{ type: 'actions', buttons: [button({ op: 'resubmit', ...v }, t(locale, 'card.request.resubmit'), 'primary')] }];
  }
  return [];
}
