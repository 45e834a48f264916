import type { Localized } from '../config/intent-schema.ts';
import type { NotifyMessage } from '../jobs/job-kinds.ts';

/** Approval status of a request (the ERP side has its own status, see ErpStatus). */
export type RequestStatus = 'draft' | 'pending' | 'approved' | 'rejected' | 'withdrawn';
/**
 * none → creating → created → posted → partially_paid → paid (posted and partially_paid may be skipped);
 * failed goes back to creating on a replay (erp_retry) or straight to created. not_required: the intent has
 * no ERP mapping, so the request is complete at approval (set at submit; also the way out for a request
 * approved before that was known, from creating or failed).
 */
export type ErpStatus = 'none' | 'not_required' | 'creating' | 'created' | 'posted' | 'partially_paid' | 'paid' | 'failed';
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

/**
 * What the machine needs to know about a request; tasks are those of the current revision. `erpStatus`
 * 'not_required' before approval means the final approval completes the request without an ERP document.
 */
export interface RequestSnapshot {
  status: RequestStatus;
  erpStatus: ErpStatus;
  /** What the ERP reported paid so far (decimal string), when known: a part payment is news only when it grows. */
  erpPaid?: string | null;
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
  /** `erpRequired`: whether the intent (as resubmitted) has an ERP mapping; absent keeps what submit decided. */
  | { type: 'resubmit'; actor: string; steps: ResolvedStep[]; erpRequired?: boolean }
  /** By the requester (催办) with a cooldown, or by the SLA timer (actor 'system'). */
  | { type: 'remind'; actor: string; cooldownMs: number }
  /**
   * ERP progress, sent by the ERP service (src/erp/erp-service.ts). What each one carries is what the ERP
   * reported: it goes into the audit row and the requester's notification. Times are ISO 8601, money decimal strings.
   */
  /** The document exists (creating or failed → created); `number`: the ERP's own document number. */
  | { type: 'erp_created'; number?: string | null }
  /** Creating it failed for good (creating → failed): `reason` is the ERP's own message, `code` ours (erp.validation…). */
  | { type: 'erp_failed'; reason: string; code?: string }
  /** An admin replayed the failed create (failed → creating). */
  | { type: 'erp_retry' }
  /** The intent has no ERP mapping after all (creating or failed → not_required): the request is complete. */
  | { type: 'erp_not_required' }
  /** Posted (created → posted); `voucher`: the posting's own number where the ERP has one. */
  | { type: 'erp_posted'; postedAt?: string; voucher?: string | null }
  /**
   * Paid: in full (created, posted or partially_paid → paid) or, with `partial`, in part (created or posted →
   * partially_paid). `amount`: what has been paid so far.
   */
  | { type: 'erp_paid'; partial?: boolean; amount?: string | null; currency?: string | null; paidAt?: string; bankRef?: string | null };

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
