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

/**
 * The ERP document an ERP-originated request approves (src/erp/erp-originated.ts), as its cards show it: written
 * when the document arrives and each time the ERP reports it changed; `decision` is the last decision sent back.
 */
export interface ErpOrigin {
  connector: string;
  docKind: string;
  /** The ERP's form or model of the document (Tryton model, Kingdee FormId). */
  formId: string;
  erpId: string;
  number: string | null;
  /** The document's state in the ERP: draft, waiting, approved, rejected, cancelled, deleted. */
  state: string;
  owner: { erpId: string; name: string };
  title: string;
  lines: { item: string; quantity: string; amount: string; unit?: string }[];
  total: string;
  currency: string;
  party?: string;
  link?: string;
  /** ISO 8601: when the ERP last changed it. */
  changedAt: string;
  decision?: { decision: 'approve' | 'reject'; revision: number; status: 'sending' | 'done' | 'failed'; at?: string; error?: string };
}

/** Why someone the step's rule named may not approve it: they are the requester, or they approve another step. */
export type SeparationWhy = 'requester' | 'other_step';
/** A fallback rule of an intent's `separation.fallback` as it named approvers (`user` for `user:<id>`). */
export type FallbackKind = 'role_others' | 'managers_manager' | 'user';

/**
 * How separation of duties changed a step (src/workflow/separation.ts): who the rule named but may not approve it,
 * and the fallback that named its approvers when nobody was left. Shown on the route preview and kept with the route.
 */
export interface StepSeparation {
  removed: { userId: string; why: SeparationWhy }[];
  fallback?: FallbackKind;
}

/** A route step after conditions were evaluated and approvers resolved to user ids. */
export interface ResolvedStep {
  index: number;
  name: Localized;
  mode: 'any' | 'all';
  approvers: string[];
  /** Present when separation of duties took people off the step (and maybe gave it to a fallback). */
  separation?: StepSeparation;
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
  /** The request approves a document made in the ERP: the decision goes back to it (no document is created). */
  originated?: boolean;
  /** Whether one person may approve two steps (the intent's `separation.distinct_steps` off); absent = not allowed. */
  sharedSteps?: boolean;
}

export type ApprovalEvent =
  | { type: 'submit' }
  | { type: 'approve'; actor: string; taskId: string; comment?: string }
  | { type: 'reject'; actor: string; taskId: string; reason: string }
  /**
   * `steps`: the route with later steps reassigned away from `to` (the intent's `separation.transfer: reassign`, worked
   * out by the service with the directory); absent, a transfer to someone on another step is refused. `toName`: how
   * a refusal names `to` to the person (their display name).
   */
  | { type: 'transfer'; actor: string; taskId: string; to: string; comment?: string; steps?: ResolvedStep[]; toName?: string }
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
  | { type: 'erp_paid'; partial?: boolean; amount?: string | null; currency?: string | null; paidAt?: string; bankRef?: string | null }
  /**
   * ERP-originated requests (sent by src/erp/erp-originated.ts). The document was resubmitted or changed in the ERP:
   * a new revision starts the route again (pending, rejected, withdrawn or approved → pending; open tasks cancelled).
   */
  | { type: 'erp_revise'; steps: ResolvedStep[] }
  /** The document left the approval in the ERP (back to draft, deleted, cancelled, decided there): pending → withdrawn. */
  | { type: 'erp_withdraw'; why: ErpClosedWhy }
  /** What the card shows of the document changed (a decision sent back, its outcome): cards re-render, nothing else moves. */
  | { type: 'erp_origin_update' };

/** Why an ERP-originated request was closed from the ERP side. */
export type ErpClosedWhy = 'draft' | 'deleted' | 'cancelled' | 'approved_in_erp' | 'rejected_in_erp';

/** Side effects as data; the approval service turns them into rows and outbox jobs. */
export type Effect =
  | { type: 'create_tasks'; stepIndex: number; approvers: string[]; transferredFrom?: string }
  | { type: 'update_task'; taskId: string; status: TaskStatus; actor?: string; comment?: string }
  | { type: 'close_tasks'; taskIds: string[]; status: 'skipped' | 'cancelled' }
  /** `by`: the requester, or 'system' for an SLA reminder. */
  | { type: 'remind_tasks'; taskIds: string[]; approvers: string[]; by: string }
  | { type: 'notify'; userIds: string[]; message: NotifyMessage }
  | { type: 'erp_create' }
  /** ERP-originated: send the decision back to the document (approve = audit; reject = un-audit with the reason). */
  | { type: 'erp_decide'; decision: 'approve' | 'reject'; reason?: string };

export type TransitionErrorCode =
  | 'workflow.already_handled' | 'workflow.not_approver' | 'workflow.not_requester' | 'workflow.illegal_transition'
  | 'workflow.reason_required' | 'workflow.remind_cooldown' | 'workflow.invalid_transfer' | 'workflow.not_participant'
  | 'workflow.erp_owned' | 'workflow.sod_transfer' | 'workflow.sod_self' | 'workflow.sod_two_steps';

/** `message` for logs and the API (English); `localized` for the person in chat, in their language. */
export interface TransitionError { code: TransitionErrorCode; message: string; localized: Localized; retryAfterMs?: number }

export type Transition =
  | { ok: true; next: RequestSnapshot; effects: Effect[] }
  | { ok: false; error: TransitionError };
