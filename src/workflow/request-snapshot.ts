import type { IntentDefinition } from '../config/intent-schema.ts';
import { normalizeMoney } from '../core/money.ts';
import type { RequestSnapshot } from './approval-states.ts';
import type { RequestRecord } from './request-repo.ts';

/** The request row as the approval machine sees it (tasks: those of the current revision). */
export function snapshotOf(r: RequestRecord, tasks: RequestSnapshot['tasks']): RequestSnapshot {
  const paid = r.erpRef?.['paid'];
  return { status: r.status, erpStatus: r.erpStatus, ...(typeof paid === 'string' ? { erpPaid: paid } : {}), currentStep: r.currentStep, revision: r.revision, requesterId: r.requesterId, steps: r.steps, tasks,
    ...(r.erpOrigin ? { originated: true } : {}) };
}

/** The request row after the machine moved it to `s` at `now` (decided and submitted times follow the status). */
export function merge(r: RequestRecord, s: RequestSnapshot, now: Date): RequestRecord {
  const decided = s.status !== r.status && (s.status === 'approved' || s.status === 'rejected' || s.status === 'withdrawn');
  const resubmitted = s.revision !== r.revision;
  return {
    ...r, status: s.status, erpStatus: s.erpStatus, erpRef: s.erpPaid ? { ...(r.erpRef ?? {}), paid: s.erpPaid } : r.erpRef, currentStep: s.currentStep, revision: s.revision, steps: s.steps, updatedAt: now,
    decidedAt: decided ? now : resubmitted ? null : r.decidedAt, submittedAt: resubmitted ? now : r.submittedAt,
  };
}

/** The request's amount: its `amount` money field, else its first money field, as a decimal string. */
export function amountOf(intent: IntentDefinition, fields: Record<string, unknown>): string | null {
  const f = intent.fields.find((x) => x.type === 'money' && x.name === 'amount') ?? intent.fields.find((x) => x.type === 'money');
  const v = f ? fields[f.name] : undefined;
  return typeof v === 'string' || typeof v === 'number' ? normalizeMoney(v) : null;
}
