import type { Kysely, Transaction } from 'kysely';
import { appendAudit, type AuditEntry, type AuditSource } from '../audit/audit-log.ts';
import { separationOf, type IntentDefinition } from '../config/intent-schema.ts';
import type { Clock } from '../core/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { ChatTarget, InboundEvent } from '../core/inbound-event.ts';
import { formatMonth, localDateOf } from '../core/time-zone.ts';
import type { Database } from '../db/database.ts';
import { GroupBatcher } from '../db/group-batcher.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { transition } from './approval-machine.ts';
import type { ApprovalEvent, ErpClosedWhy, ErpOrigin, RequestSnapshot, TransitionError } from './approval-states.ts';
import { CommitBatcher } from './commit-batcher.ts';
import { planEffects } from './request-effects.ts';
import { commitPayload, commitRequestChange } from './request-commit.ts';
import * as requestRepo from './request-repo.ts';
import type { RequestRecord, TaskRecord } from './request-repo.ts';
import { commentOnRequest } from './request-comments.ts';
import { amountOf, merge, snapshotOf } from './request-snapshot.ts';
import { resolveRoute } from './route-resolver.ts';
import { reassignLaterSteps } from './separation.ts';
import { localized } from '../i18n/catalog.ts';

export interface ApprovalServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  directory: DirectoryViews;
  timeZone: string;
  maxAttempts: number;
  /** Called after a commit that enqueued jobs, so this process's worker looks at once. */
  onCommitted?: () => void;
  /** Told the size of each group commit (metrics). */
  onCommitBatch?: (size: number) => void;
  /** The intent a request was made under (its `separation` rules); absent, the safe defaults apply. */
  intents?: { definition(tenantId: string, key: string, version: number): Promise<IntentDefinition | undefined> };
}

/** Group commit and batched loads: at most this many batches on the wire, each of at most this many items. */
const BATCHES_IN_FLIGHT = 2;
const BATCH_MAX = 32;

type Loaded = { request: RequestRecord; tasks: TaskRecord[] } | undefined;

export interface SubmitInput {
  tenantId: string;
  intent: IntentDefinition;
  intentVersion: number;
  requesterId: string;
  fields: Record<string, unknown>;
  origin: ChatTarget;
  source: AuditSource;
  /** The ERP document the request approves, when it was made in the ERP (erp-originated.ts). */
  erpOrigin?: ErpOrigin;
}

export type ActOutcome =
  | { ok: true; request: RequestRecord }
  | { ok: false; request: RequestRecord; error: TransitionError };

/** Events a person triggers; ERP and timer events come from the system. */
export type ActEvent = Exclude<ApprovalEvent, { type: 'submit' } | { type: 'resubmit' } | { type: 'comment' }>
  | { type: 'comment'; actor: string; text: string };

/** The ERP service's events (approval-states.ts has what each carries). */
export type ErpEvent = Extract<ApprovalEvent, { type: `erp_${string}` }>;

/** What a change will be (the event and what else the request row gets), or why it is refused before the machine runs. */
type Planned = { event: ApprovalEvent; patch: Partial<RequestRecord> } | { refused: TransitionError };

const MAX_RACE_RETRIES = 8;
const AUDITED_DENIALS = new Set(['workflow.not_approver', 'workflow.not_requester', 'workflow.not_participant']);

/** Loads → transition() → persists state + tasks + outbox + audit in one transaction, with an optimistic version check. */
export class ApprovalService {
  private readonly commits: CommitBatcher;
  /** Concurrent actions load their requests together (one query for the batch). */
  private readonly loads: GroupBatcher<{ tenantId: string; id: string }, Loaded>;

  constructor(private readonly d: ApprovalServiceDeps) {
    this.commits = new CommitBatcher(d.db, { maxInFlight: BATCHES_IN_FLIGHT, maxBatch: BATCH_MAX, ...(d.onCommitBatch ? { onBatch: d.onCommitBatch } : {}) });
    this.loads = new GroupBatcher({ maxInFlight: BATCHES_IN_FLIGHT, maxBatch: BATCH_MAX, run: async (keys) => {
      const found = await requestRepo.findRequestsWithTasks(d.db, keys.map((k) => k.id));
      return keys.map((k) => {
        const hit = found.get(k.id);
        return hit && hit.request.tenantId === k.tenantId ? hit : undefined;
      });
    } });
  }

  /** Creates a request and its first tasks inside the caller's transaction (the dialog's). */
  async submit(trx: Transaction<Database>, input: SubmitInput): Promise<RequestRecord> {
    const { intent } = input;
    const now = this.d.clock.now();
    const dir = await this.d.directory.get(input.tenantId, trx);
    const route = resolveRoute(intent, input.fields, input.requesterId, dir);
    if (!route.ok) throw new ValidationError(route.code, route.message, { details: { localized: route.localized } });
    const period = formatMonth(localDateOf(now, this.d.timeZone)).replace('-', '');
    const number = await requestRepo.nextRequestNumber(trx, input.tenantId, intent.prefix ?? 'REQ', period);
    const draft: RequestRecord = {
      id: this.d.ids.uuid(), tenantId: input.tenantId, number, intentKey: intent.key, intentVersion: input.intentVersion,
      requesterId: input.requesterId, status: 'draft', currentStep: 0, revision: 1, fields: input.fields, amount: amountOf(intent, input.fields),
      // An intent without an ERP mapping (leave, seal use…) is complete at approval: no document is asked for.
      // A document made in the ERP needs none created either: approval sends the decision back to it.
      steps: route.steps, erpStatus: intent.erp && !input.erpOrigin ? 'none' : 'not_required', erpRef: null, origin: input.origin, rejectReason: null, version: 1,
      createdAt: now, updatedAt: now, submittedAt: now, decidedAt: null, erpOrigin: input.erpOrigin ?? null,
    };
    const t = transition(snapshotOf(draft, []), { type: 'submit' }, now);
    if (!t.ok) throw new ConflictError(t.error.code, t.error.message, { details: { localized: t.error.localized } });
    const req = merge(draft, t.next, now);
    const audit: AuditEntry = { tenantId: req.tenantId, at: now, actor: input.erpOrigin ? 'erp' : input.requesterId, action: 'request.submit', source: input.source,
      subjectType: 'request', subjectId: req.id, after: { number, status: req.status, fields: req.fields, steps: req.steps,
        ...(input.erpOrigin ? { erp: { connector: input.erpOrigin.connector, id: input.erpOrigin.erpId, number: input.erpOrigin.number } } : {}) } };
    await commitRequestChange(trx, req, null, planEffects(this.d, req, t.effects, []), audit, this.d.maxAttempts);
    return req;
  }

  /**
   * Edit-and-resubmit after rejection or withdrawal: same request, new revision, route re-evaluated. With
   * `trx`, inside the caller's transaction (the dialog's, so a second click rolls back with it).
   */
  async resubmit(tenantId: string, requestId: string, actor: string, intent: IntentDefinition, fields: Record<string, unknown>, source: AuditSource, trx?: Transaction<Database>): Promise<ActOutcome> {
    const dir = await this.d.directory.get(tenantId, trx);
    return this.run(tenantId, requestId, source, 'request.resubmit', (req) => {
      const route = resolveRoute(intent, fields, req.requesterId, dir);
      if (!route.ok) throw new ValidationError(route.code, route.message, { details: { localized: route.localized } });
      return { event: { type: 'resubmit', actor, steps: route.steps, erpRequired: intent.erp !== undefined }, patch: { fields, amount: amountOf(intent, fields), rejectReason: null } };
    }, undefined, trx);
  }

  /**
   * A person's action on a request. With `inbound`, the platform event is recorded in the inbox in the
   * same statement as the change: a redelivered event changes nothing and comes back as already handled.
   */
  async act(tenantId: string, requestId: string, ev: ActEvent, source: AuditSource, inbound?: InboundEvent): Promise<ActOutcome> {
    if (ev.type === 'comment') return this.comment(tenantId, requestId, ev, source, inbound);
    const dir = ev.type === 'transfer' ? await this.d.directory.get(tenantId) : undefined;
    if (ev.type === 'transfer' && !dir?.user(ev.to)) {
      throw new ValidationError('workflow.invalid_transfer', `"${ev.to}" is not an active person in the directory`,
        { details: { localized: localized('error.notInDirectory', { person: ev.to }) } });
    }
    // A refusal of the transfer names the person as people know them.
    const named: ActEvent = ev.type === 'transfer' ? { ...ev, toName: (await this.d.directory.people(tenantId)).name(ev.to) ?? ev.to } : ev;
    return this.run(tenantId, requestId, source, `request.${ev.type}`, async (req, tasks) => {
      if (named.type !== 'transfer' || !dir) return { event: named, patch: named.type === 'reject' ? { rejectReason: named.reason.trim() } : {} };
      // separation.transfer: reassign: later steps that would be the new holder's go to their fallback with the transfer.
      const intent = await this.intentOf(req);
      const sep = intent && separationOf(intent);
      if (!intent || sep?.transfer !== 'reassign' || !sep.distinct_steps || named.to === req.requesterId) return { event: named, patch: {} };
      const current = tasks.filter((t) => t.revision === req.revision);
      const from = current.find((t) => t.id === named.taskId)?.stepIndex ?? req.currentStep;
      const r = reassignLaterSteps(intent, req.steps, from, named.to, req.requesterId, current.map((t) => t.approverId), dir);
      if (r.ok) return { event: { ...named, steps: r.steps }, patch: {} };
      return { refused: { code: 'workflow.sod_transfer', message: `transferring to ${named.to} would leave step "${r.stepName.en}" to nobody (no fallback names anyone)`,
        localized: localized('error.sodTransferNoFallback', { person: named.toName ?? named.to, step: r.stepName }) } };
    }, inbound);
  }

  /** A comment: written beside the request, never through its version (request-comments.ts says why). */
  private async comment(tenantId: string, requestId: string, ev: Extract<ActEvent, { type: 'comment' }>, source: AuditSource, inbound?: InboundEvent): Promise<ActOutcome> {
    const found = await this.loads.submit({ tenantId, id: requestId });
    if (!found) throw new NotFoundError('request.not_found', `no request ${requestId}`, { details: { localized: localized('error.requestNotFound') } });
    const snapshot = snapshotOf(found.request, found.tasks.filter((x) => x.revision === found.request.revision));
    const out = await commentOnRequest(this.d, found, snapshot, ev.actor, ev.text, source, inbound);
    return out.ok ? { ok: true, request: found.request } : { ok: false, request: found.request, error: out.error };
  }

  /** Whether the request's intent lets one person approve two steps (`separation.distinct_steps: false`). */
  private async sharedSteps(req: RequestRecord): Promise<boolean> {
    const intent = await this.intentOf(req);
    return intent ? !separationOf(intent).distinct_steps : false;
  }

  /** The definition the request was made under (cached by IntentVersions). */
  private async intentOf(req: RequestRecord): Promise<IntentDefinition | undefined> {
    return this.d.intents?.definition(req.tenantId, req.intentKey, req.intentVersion);
  }

  /**
   * ERP progress (created, posted, paid, failed, retried, not required) reported by the ERP service. With `trx`,
   * inside the caller's transaction (the ERP link row and the request change commit together). `erpRef`
   * replaces the request's link to its document; a failure keeps the ERP's message on it (`lastError`, shown
   * on the card) until the document is made. A refusal with `workflow.already_handled` is a repeat or a stale
   * report: nothing was written and nobody notified.
   */
  async erpEvent(tenantId: string, requestId: string, ev: ErpEvent, erpRef?: Record<string, unknown>, trx?: Transaction<Database>): Promise<ActOutcome> {
    // The document's number reaches the requester's "created" notice whether it came in the event or in the link.
    const number = erpRef?.['number'];
    const event: ErpEvent = ev.type === 'erp_created' && !ev.number && typeof number === 'string' ? { ...ev, number } : ev;
    return this.run(tenantId, requestId, 'erp', `request.${ev.type}`, (req) => ({ event, patch: erpPatch(req, ev, erpRef) }), undefined, trx);
  }

  /**
   * ERP-originated requests (src/erp/erp-originated.ts), each with the document as the ERP reports it now.
   * `revise`: resubmitted or changed in the ERP → a new revision, the route re-evaluated on the new fields.
   */
  async erpRevise(tenantId: string, requestId: string, intent: IntentDefinition, fields: Record<string, unknown>, erpOrigin: ErpOrigin, trx?: Transaction<Database>): Promise<ActOutcome> {
    const dir = await this.d.directory.get(tenantId, trx);
    return this.run(tenantId, requestId, 'erp', 'request.erp_revise', (req) => {
      const route = resolveRoute(intent, fields, req.requesterId, dir);
      if (!route.ok) throw new ValidationError(route.code, route.message, { details: { localized: route.localized } });
      return { event: { type: 'erp_revise', steps: route.steps }, patch: { fields, amount: amountOf(intent, fields), rejectReason: null, erpOrigin } };
    }, undefined, trx);
  }

  /** The document left the approval in the ERP: a pending request is withdrawn (approvers and owner told why). */
  async erpWithdraw(tenantId: string, requestId: string, why: ErpClosedWhy, erpOrigin: ErpOrigin, trx?: Transaction<Database>): Promise<ActOutcome> {
    return this.run(tenantId, requestId, 'erp', 'request.erp_withdraw', () => ({ event: { type: 'erp_withdraw', why }, patch: { erpOrigin } }), undefined, trx);
  }

  /** What the cards show of the document changed (its ERP state, the decision sent back and its outcome). */
  async erpOriginUpdate(tenantId: string, requestId: string, erpOrigin: ErpOrigin, trx?: Transaction<Database>): Promise<ActOutcome> {
    return this.run(tenantId, requestId, 'erp', 'request.erp_origin_update', () => ({ event: { type: 'erp_origin_update' }, patch: { erpOrigin } }), undefined, trx);
  }

  /**
   * Load → transition() → one atomic change that writes the request (if its version is unchanged),
   * inbound event, tasks, outbox jobs and the audit row, group-committed with concurrent changes.
   * A lost race writes nothing and is re-run on fresh state.
   */
  private async run(
    tenantId: string, requestId: string, source: AuditSource, action: string,
    plan: (req: RequestRecord, tasks: TaskRecord[]) => Planned | Promise<Planned>,
    inbound?: InboundEvent,
    trx?: Transaction<Database>,
  ): Promise<ActOutcome> {
    const db = trx ?? this.d.db;
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const found = trx ? (await requestRepo.findRequestsWithTasks(trx, [requestId])).get(requestId) : await this.loads.submit({ tenantId, id: requestId });
      if (!found || found.request.tenantId !== tenantId) throw new NotFoundError('request.not_found', `no request ${requestId}`, { details: { localized: localized('error.requestNotFound') } });
      const { request: req, tasks: allTasks } = found;
      const now = this.d.clock.now();
      const planned = await plan(req, allTasks);
      if ('refused' in planned) return { ok: false, request: req, error: planned.refused };
      const { event, patch } = planned;
      const shared = event.type === 'approve' || event.type === 'transfer' ? (await this.sharedSteps(req)) : false;
      const t = transition({ ...snapshotOf(req, allTasks.filter((x) => x.revision === req.revision)), ...(shared ? { sharedSteps: true } : {}) }, event, now);
      const actor = 'actor' in event ? event.actor : 'erp';
      if (!t.ok) {
        if (AUDITED_DENIALS.has(t.error.code)) {
          await appendAudit(db, { tenantId, at: now, actor, action: `${action}.denied`, source, subjectType: 'request', subjectId: req.id, meta: { code: t.error.code } });
        }
        return { ok: false, request: req, error: t.error };
      }
      const next = { ...merge({ ...req, ...patch }, t.next, now), version: req.version + 1 };
      const audit: AuditEntry = { tenantId, at: now, actor, action, source, subjectType: 'request', subjectId: req.id,
        before: { status: req.status, step: req.currentStep, erp: req.erpStatus, revision: req.revision },
        after: { status: next.status, step: next.currentStep, erp: next.erpStatus, revision: next.revision, event: eventSummary(event) } };
      const effects = planEffects(this.d, next, t.effects, allTasks.map((x) => x.approverId));
      const written = trx ? await commitRequestChange(trx, next, req.version, effects, audit, this.d.maxAttempts, inbound)
        : await this.commits.commit(commitPayload(next, req.version, effects, audit, this.d.maxAttempts, inbound));
      if (written === 'duplicate') return { ok: false, request: req, error: { code: 'workflow.already_handled', message: 'this event was already handled', localized: localized('error.alreadyHandled') } };
      if (written === 'written') {
        if (!trx) this.d.onCommitted?.(); // in a caller's transaction the caller says when it committed
        return { ok: true, request: next };
      }
    }
    throw new ConflictError('workflow.contended', 'the request is being changed by many people at once; try again',
      { details: { localized: localized('error.contended') } });
  }
}

/**
 * What an ERP event changes on the request row besides its status: the link to the document, the last failure
 * (the ERP's message, shown on the card), the currency it pays in. The amount paid so far comes from the machine (merge).
 */
function erpPatch(req: RequestRecord, ev: ErpEvent, erpRef?: Record<string, unknown>): Partial<RequestRecord> {
  if (erpRef) return { erpRef };
  if (ev.type === 'erp_failed') return { erpRef: { ...(req.erpRef ?? {}), lastError: { reason: ev.reason, ...(ev.code ? { code: ev.code } : {}) } } };
  if (ev.type === 'erp_paid' && ev.currency) return { erpRef: { ...(req.erpRef ?? {}), currency: ev.currency } };
  return {};
}

function eventSummary(e: ApprovalEvent): Record<string, unknown> {
  const { type } = e;
  switch (e.type) {
    case 'reject': return { type, taskId: e.taskId, reason: e.reason };
    case 'approve': return { type, taskId: e.taskId, ...(e.comment ? { comment: e.comment } : {}) };
    case 'transfer': return { type, taskId: e.taskId, to: e.to, ...(e.steps ? { reassigned: e.steps.filter((st) => st.separation).map((st) => ({ step: st.index, approvers: st.approvers })) } : {}) };
    case 'comment': return { type, text: e.text };
    case 'erp_created': return { type, ...(e.number ? { number: e.number } : {}) };
    case 'erp_failed': return { type, reason: e.reason, ...(e.code ? { code: e.code } : {}) };
    case 'erp_withdraw': return { type, why: e.why };
    case 'erp_posted': return { type, ...(e.postedAt ? { postedAt: e.postedAt } : {}), ...(e.voucher ? { voucher: e.voucher } : {}) };
    case 'erp_paid': return { type, ...(e.partial ? { partial: true } : {}), ...(e.amount ? { amount: e.amount } : {}), ...(e.currency ? { currency: e.currency } : {}),
      ...(e.paidAt ? { paidAt: e.paidAt } : {}), ...(e.bankRef ? { bankRef: e.bankRef } : {}) };
    default: return { type };
  }
}

