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

export type Transition =
  | { ok: true; next: RequestSnapshot; effects: Effect[] }
  | { ok: false; error: TransitionError };
