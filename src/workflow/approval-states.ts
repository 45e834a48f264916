import type { Localized } from '../config/intent-schema.ts';
import type { NotifyMessage } from '../jobs/job-kinds.ts';

/** Approval status of a request (the ERP side has its own status, see ErpStatus). */
export type RequestStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'withdrawn';
/** none → creating → created → posted → paid; failed can be retried back to creating. */
export type ErpStatus = 'none' | 'creating' | 'created' | 'posted' | 'paid' | 'failed';
export type TaskStatus = 'pending' | 'approved' | 'rejected' | 'transferred' | 'cancelled' | 'skipped';

/** A route step after conditions were evaluated and approvers resolved to user ids. */
export interface ResolvedStep {
  index: number;
  name: Localized;
  mode: 'any' | 'all';
  approvers: string[];
}

export interface TaskSnapshot {
  id: string;
  stepIndex: number;
  approverId: string;
  status: TaskStatus;
  remindedAt: Date | null;
  createdAt: Date;
}

/** What the machine needs to know about a request; tasks are those of the current revision. */
export interface RequestSnapshot {
  status: RequestStatus;
  erpStatus: ErpStatus;
  currentStep: number;
  revision: number;
  requesterId: string;
  steps: ResolvedStep[];
  tasks: TaskSnapshot[];
}

export type ApprovalEvent =
  | { type: 'submit' }
  | { type: 'approve'; actor: string; taskId: string; comment?: string }
  | { type: 'reject'; actor: string; taskId: string; reason: string }
  | { type: 'transfer'; actor: string; taskId: string; to: string; comment?: string }
  | { type: 'comment'; actor: string; text: string; participants: string[] }
  | { type: 'withdraw'; actor: string }
  | { type: 'resubmit'; actor: string; steps: ResolvedStep[] }
  /** By the requester (催办) with a cooldown, or by the SLA timer (actor 'system'). */
  | { type: 'remind'; actor: string; cooldownMs: number }
  | { type: 'erp_created' }
  | { type: 'erp_failed'; reason: string }
  | { type: 'erp_posted'; postedAt?: string }
  /** What the ERP reported, recorded in the audit row. */
  | { type: 'erp_paid'; amount?: string | null; paidAt?: string; bankRef?: string | null };

/** Side effects as data; the approval service turns them into rows and outbox jobs. */
export type Effect =
  | { type: 'create_tasks'; stepIndex: number; approvers: string[]; transferredFrom?: string }
  | { type: 'update_task'; taskId: string; status: TaskStatus; actor?: string; comment?: string }
  | { type: 'close_tasks'; taskIds: string[]; status: 'skipped' | 'cancelled' }
  /** `by`: the requester, or 'system' for an SLA reminder. */
  | { type: 'remind_tasks'; taskIds: string[]; approvers: string[]; by: string }
  | { type: 'notify'; userIds: string[]; message: NotifyMessage }
  | { type: 'erp_create' };

export type TransitionErrorCode =
  | 'workflow.already_handled' | 'workflow.not_approver' | 'workflow.not_requester' | 'workflow.illegal_transition'
  | 'workflow.reason_required' | 'workflow.remind_cooldown' | 'workflow.invalid_transfer' | 'workflow.not_participant';

/** `message` for logs and the API (English); `localized` for the person in chat, in their language. */
export interface TransitionError { code: TransitionErrorCode; message: string; localized: Localized; retryAfterMs?: number }

/** How statuses read in a refusal, per language. */
export const STATUS_WORDS: Record<RequestStatus | TaskStatus | ErpStatus, Localized> = {
  draft: { zh: '草稿', en: 'draft' }, pending: { zh: '审批中', en: 'pending' }, approved: { zh: '已通过', en: 'approved' },
  rejected: { zh: '已驳回', en: 'rejected' }, withdrawn: { zh: '已撤回', en: 'withdrawn' }, transferred: { zh: '已转交', en: 'transferred' },
  cancelled: { zh: '已取消', en: 'cancelled' }, skipped: { zh: '已跳过', en: 'skipped' }, none: { zh: '未生成', en: 'none' },
  creating: { zh: '生成中', en: 'creating' }, created: { zh: '已生成', en: 'created' }, posted: { zh: '已入账', en: 'posted' },
  paid: { zh: '已付款', en: 'paid' }, failed: { zh: '生成失败', en: 'failed' },
};

export type Transition =
  | { ok: true; next: RequestSnapshot; effects: Effect[] }
  | { ok: false; error: TransitionError };
