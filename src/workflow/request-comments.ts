import type { Kysely } from 'kysely';
import { appendAudit, type AuditSource } from '../audit/audit-log.ts';
import type { Clock } from '../core/clock.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { InboundEvent } from '../core/inbound-event.ts';
import type { Database } from '../db/database.ts';
import { localized } from '../i18n/catalog.ts';
import { insertEvent } from '../inbox/inbox-repo.ts';
import { enqueue, type NewJob } from '../jobs/enqueue.ts';
import type { MessageSendPayload } from '../jobs/job-kinds.ts';
import { transition } from './approval-machine.ts';
import type { RequestSnapshot, TransitionError } from './approval-states.ts';
import type { RequestRecord, TaskRecord } from './request-repo.ts';

export interface CommentDeps { db: Kysely<Database>; clock: Clock; ids: IdGenerator; maxAttempts: number; onCommitted?: () => void }

export type CommentOutcome = { ok: true } | { ok: false; error: TransitionError };

/** Refusals of a comment that say someone tried what they may not (the same set the service audits for decisions). */
const AUDITED = new Set(['workflow.not_participant']);

/**
 * A comment on a request. It changes no state, so it is written WITHOUT touching the request row: no version bump,
 * no row lock. Writing it through the request's optimistic version (as decisions are) made every comment a lost race
 * for the approve clicks running beside it, and a burst of comments used up their retries (409 workflow.contended).
 * One transaction holds its inbound click (a redelivery is "already handled"), its audit row on the request's chain
 * (where comments are kept: the request's trail) and the notifications to the other participants.
 */
export async function commentOnRequest(
  d: CommentDeps, loaded: { request: RequestRecord; tasks: TaskRecord[] }, snapshot: RequestSnapshot,
  actor: string, text: string, source: AuditSource, inbound?: InboundEvent,
): Promise<CommentOutcome> {
  const { request: req, tasks } = loaded;
  const now = d.clock.now();
  const participants = [...new Set([req.requesterId, ...tasks.map((t) => t.approverId)])];
  const t = transition(snapshot, { type: 'comment', actor, text, participants }, now);
  const audit = { tenantId: req.tenantId, at: now, actor, source, subjectType: 'request', subjectId: req.id } as const;
  if (!t.ok) {
    if (AUDITED.has(t.error.code)) await appendAudit(d.db, { ...audit, action: 'request.comment.denied', meta: { code: t.error.code } });
    return { ok: false, error: t.error };
  }
  // Each comment is its own message: keys carry the comment's id, not the request's version (which it leaves alone).
  const commentId = d.ids.uuid();
  const jobs: NewJob[] = t.effects.flatMap((e) => (e.type === 'notify' ? e.userIds.map((userId): NewJob => {
    const payload: MessageSendPayload = { userId, notify: { requestId: req.id, message: e.message } };
    return { tenantId: req.tenantId, kind: 'message.send', payload, idempotencyKey: `notify:${req.id}:comment:${commentId}:${userId}` };
  }) : []));
  const written = await d.db.transaction().execute(async (trx) => {
    if (inbound && (await insertEvent(trx, inbound, 'done')) === null) return false;
    await appendAudit(trx, { ...audit, action: 'request.comment', after: { status: req.status, revision: req.revision, event: { type: 'comment', id: commentId, text: text.trim() } } });
    await enqueue(trx, jobs, d.maxAttempts);
    return true;
  });
  if (!written) return { ok: false, error: { code: 'workflow.already_handled', message: 'this event was already handled', localized: localized('error.alreadyHandled') } };
  d.onCommitted?.();
  return { ok: true };
}
