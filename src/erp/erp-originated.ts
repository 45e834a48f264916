import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { IntentDefinition } from '../config/intent-schema.ts';
import type { Clock } from '../core/clock.ts';
import type { ChatTarget } from '../core/inbound-event.ts';
import { AppError, ExternalServiceError } from '../core/errors.ts';
import type { Database } from '../db/database.ts';
import { getUsers } from '../directory/directory-repo.ts';
import type { ErpDecidePayload } from '../jobs/job-kinds.ts';
import { erpPersonOf, userForErpPerson } from '../master-data/person-links.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import type { ErpOrigin } from '../workflow/approval-states.ts';
import type { IntentVersions } from '../workflow/intent-versions.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import type { DocKind, ErpConnector, ErpDocRef } from './erp-connector.ts';
import { originatedFields, sameContent, toOrigin } from './originated-fields.ts';
import type { ApprovalInbox, OriginatedDoc } from './originated-port.ts';

/** Which intent an ERP instance's documents of one kind are approved under, and which bot carries them. */
export interface OriginatedMapping { docKind: string; intent: string; bot?: string }

export interface ErpOriginatedDeps {
  db: Kysely<Database>;
  connectors: Map<string, ErpConnector>;
  /** Per ERP instance: its tenant and document kind → intent mappings (the instance file's `approvals`). */
  instances: Map<string, { tenant: string; mappings: OriginatedMapping[] }>;
  approvals: ApprovalService;
  intents: IntentVersions;
  clock: Clock;
  logger: Logger;
  /** Where the owner's cards go: their chat on the mapping's bot (or the tenant's bot for this ERP). */
  originFor: (tenantId: string, connectorId: string, bot: string | undefined, userId: string) => Promise<ChatTarget | null>;
  /** After a commit that queued jobs (wakes the outbox). */
  onCommitted?: () => void;
}

export type ApplyOutcome = 'submitted' | 'revised' | 'withdrawn' | 'updated' | 'repeat' | 'ignored' | 'unmapped';

/** The cursor key of an instance's originated feed in erp_sync_cursors (its status feed uses the bare id). */
export const originatedFeedKey = (connectorId: string): string => `${connectorId}#approvals`;

/**
 * ERP-originated approvals (docs/erp.md): documents made and submitted in the ERP become chat requests routed by
 * their intent; the decision in chat goes back to the document (approve = audit; reject = un-audit with the reason,
 * so its owner edits it there); a resubmission rejoins the same request as a new revision; a document pulled back,
 * deleted or decided in the ERP closes the chat request. One row per document in erp_originated.
 */
export class ErpOriginated {
  constructor(private readonly d: ErpOriginatedDeps) {}

  private inbox(connectorId: string): { connector: ErpConnector; inbox: ApprovalInbox } {
    const connector = this.d.connectors.get(connectorId);
    if (!connector?.approvals) throw new ExternalServiceError('erp', 'erp.unknown_connector', `ERP instance "${connectorId}" does not bring documents to chat`, { retryable: false });
    return { connector, inbox: connector.approvals };
  }

  /**
   * Polls one instance's originated documents from its cursor (saved per page, like the status feed) and applies
   * each; then retries documents whose owner was not in the directory yet. Returns how many changed a request.
   */
  async syncConnector(tenantId: string, connectorId: string, opts: { maxPages?: number; pageSize?: number } = {}): Promise<number> {
    const { inbox } = this.inbox(connectorId);
    const feed = originatedFeedKey(connectorId);
    const started = this.d.clock.now();
    const row = await this.d.db.selectFrom('erp_sync_cursors').select('cursor').where('tenant_id', '=', tenantId).where('connector', '=', feed).executeTakeFirst();
    let cursor = row?.cursor ?? null;
    let applied = 0;
    try {
      for (let page = 0; page < (opts.maxPages ?? 20); page++) {
        const res = await inbox.listOriginated(cursor, { limit: opts.pageSize ?? 100 });
        for (const doc of res.docs) if (isChange(await this.apply(tenantId, connectorId, doc))) applied++;
        const advanced = res.nextCursor !== cursor;
        cursor = res.nextCursor;
        await this.saveCursor(tenantId, feed, { cursor, last_attempt_at: started });
        if (!res.hasMore || !advanced) break;
      }
      applied += await this.retryUnmapped(tenantId, connectorId, inbox);
      applied += await this.checkGone(tenantId, connectorId, inbox);
    } catch (e: unknown) {
      const message = e instanceof Error ? e.message : String(e);
      await this.saveCursor(tenantId, feed, { cursor, last_attempt_at: started, last_error: message.slice(0, 2000), last_error_at: this.d.clock.now() });
      throw e;
    }
    await this.saveCursor(tenantId, feed, { cursor, last_attempt_at: started, last_success_at: this.d.clock.now() });
    return applied;
  }

  /** Documents still waiting whose owner had no person in the directory: read again, applied if they now map. */
  private async retryUnmapped(tenantId: string, connectorId: string, inbox: ApprovalInbox): Promise<number> {
    const rows = await this.d.db.selectFrom('erp_originated').select(['erp_id', 'doc_kind', 'number']).where('connector', '=', connectorId)
      .where('tenant_id', '=', tenantId).where('request_id', 'is', null).where('state', '=', 'waiting').limit(50).execute();
    let n = 0;
    for (const r of rows) {
      const doc = await inbox.readOriginated({ erp: connectorId, docKind: r.doc_kind as DocKind, formId: '', id: r.erp_id, externalKey: '', ...(r.number ? { number: r.number } : {}) });
      if (doc && isChange(await this.apply(tenantId, connectorId, doc, { force: true }))) n++;
    }
    return n;
  }

  /**
   * A document deleted in the ERP never shows in its change feed: the ones waiting in chat are read back (at most
   * 50 a poll, least recently checked first) and those the ERP no longer has close their requests.
   */
  private async checkGone(tenantId: string, connectorId: string, inbox: ApprovalInbox): Promise<number> {
    const rows = await this.d.db.selectFrom('erp_originated').select(['erp_id', 'doc_kind', 'number', 'request_id']).where('connector', '=', connectorId)
      .where('tenant_id', '=', tenantId).where('request_id', 'is not', null).where('state', '=', 'waiting').orderBy('updated_at').limit(50).execute();
    let n = 0;
    for (const r of rows) {
      const doc = await inbox.readOriginated({ erp: connectorId, docKind: r.doc_kind as DocKind, formId: '', id: r.erp_id, externalKey: '', ...(r.number ? { number: r.number } : {}) });
      if (doc) {
        await this.d.db.updateTable('erp_originated').set({ updated_at: this.d.clock.now() }).where('connector', '=', connectorId).where('erp_id', '=', r.erp_id).execute();
        continue;
      }
      const req = await requestRepo.findRequest(this.d.db, tenantId, r.request_id!);
      if (req?.erpOrigin && isChange(await this.apply(tenantId, connectorId, deletedDoc(req.erpOrigin, this.d.clock.now())))) n++;
    }
    return n;
  }

  private async saveCursor(tenantId: string, feed: string, set: { cursor: string | null; last_attempt_at: Date; last_success_at?: Date; last_error?: string; last_error_at?: Date }): Promise<void> {
    const values = { ...set, updated_at: this.d.clock.now() };
    await this.d.db.insertInto('erp_sync_cursors').values({ tenant_id: tenantId, connector: feed, ...values })
      .onConflict((oc) => oc.columns(['tenant_id', 'connector']).doUpdateSet(values)).execute();
  }

  /**
   * Applies one document as the ERP reports it now, in one transaction with its erp_originated row locked (a poll
   * and a push of the same document serialize). A repeat of the version stamp and state is a no-op.
   */
  async apply(tenantId: string, connectorId: string, doc: OriginatedDoc, opts: { force?: boolean } = {}): Promise<ApplyOutcome> {
    const mapping = this.d.instances.get(connectorId)?.mappings.find((m) => m.docKind === doc.ref.docKind);
    if (!mapping) return 'ignored';
    const out = await this.d.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('erp_originated').selectAll().where('connector', '=', connectorId).where('erp_id', '=', doc.ref.id).forUpdate().executeTakeFirst();
      if (row && row.tenant_id !== tenantId) return 'ignored' as const;
      if (row && !opts.force && row.version_stamp === doc.versionStamp && row.state === doc.state) return 'repeat' as const;
      const outcome = row?.request_id ? await this.follow(trx, tenantId, connectorId, row.request_id, doc) : await this.open(trx, tenantId, connectorId, mapping, doc);
      const requestId = typeof outcome === 'object' ? outcome.requestId : row?.request_id ?? null;
      const now = this.d.clock.now();
      await trx.insertInto('erp_originated').values({
        connector: connectorId, erp_id: doc.ref.id, tenant_id: tenantId, doc_kind: doc.ref.docKind, request_id: requestId, number: doc.ref.number ?? null,
        state: doc.state, version_stamp: doc.versionStamp, created_at: now, updated_at: now,
        last_error: outcome === 'unmapped' ? `owner "${doc.owner.name}" (${doc.owner.erpId}) is not a person in the directory` : null,
      }).onConflict((oc) => oc.columns(['connector', 'erp_id']).doUpdateSet({
        request_id: requestId, number: doc.ref.number ?? null, state: doc.state, version_stamp: doc.versionStamp, updated_at: now,
        last_error: outcome === 'unmapped' ? `owner "${doc.owner.name}" (${doc.owner.erpId}) is not a person in the directory` : null,
      })).execute();
      return typeof outcome === 'object' ? 'submitted' as const : outcome;
    });
    if (isChange(out)) this.d.onCommitted?.();
    if (out === 'unmapped') this.d.logger.warn({ connector: connectorId, erpId: doc.ref.id, owner: doc.owner }, 'ERP document waits for approval but its owner is not in the directory; it is retried at each poll');
    return out;
  }

  /** A document not yet in chat: a waiting one becomes a request of its owner, routed by the mapped intent. */
  private async open(trx: Transaction<Database>, tenantId: string, connectorId: string, mapping: OriginatedMapping, doc: OriginatedDoc): Promise<ApplyOutcome | { requestId: string }> {
    if (doc.state !== 'waiting') return 'ignored';
    const userId = await userForErpPerson(trx, tenantId, connectorId, doc.owner);
    if (!userId) return 'unmapped';
    const intent = await this.intent(tenantId, mapping.intent);
    const origin = await this.d.originFor(tenantId, connectorId, mapping.bot, userId);
    if (!origin) throw new ExternalServiceError('erp', 'erp.no_bot', `no enabled bot of tenant "${tenantId}" carries ERP instance "${connectorId}"`, { retryable: false });
    const req = await this.d.approvals.submit(trx, {
      tenantId, intent: intent.def, intentVersion: intent.version, requesterId: userId, fields: originatedFields(intent.def, doc), origin, source: 'erp',
      erpOrigin: toOrigin(connectorId, doc),
    });
    return { requestId: req.id };
  }

  /** A document already in chat changed in the ERP: the request follows it. */
  private async follow(trx: Transaction<Database>, tenantId: string, connectorId: string, requestId: string, doc: OriginatedDoc): Promise<ApplyOutcome> {
    const req = await requestRepo.findRequest(trx, tenantId, requestId);
    if (!req?.erpOrigin) return 'ignored';
    const before = req.erpOrigin;
    const origin: ErpOrigin = { ...toOrigin(connectorId, doc), ...(before.decision ? { decision: before.decision } : {}) };
    const ok = (o: { ok: boolean }, outcome: ApplyOutcome): ApplyOutcome => (o.ok ? outcome : 'repeat');
    switch (doc.state) {
      case 'waiting': {
        // Resubmitted after a rejection or a pull-back, or changed while waiting: a new revision. A change that
        // leaves what approvers see as it was (a note, a stamp) only refreshes the cards.
        const fresh = req.status !== 'pending' || !sameContent(before, origin) || before.state !== 'waiting';
        if (!fresh) return ok(await this.d.approvals.erpOriginUpdate(tenantId, req.id, origin, trx), 'updated');
        const intent = await this.d.intents.definition(tenantId, req.intentKey, req.intentVersion);
        if (!intent) throw new ExternalServiceError('erp', 'erp.unknown_intent', `intent "${req.intentKey}" is not in the catalog`, { retryable: false });
        const { decision: _old, ...undecided } = origin;
        return ok(await this.d.approvals.erpRevise(tenantId, req.id, intent, originatedFields(intent, doc), undecided, trx), 'revised');
      }
      case 'draft': case 'deleted': case 'cancelled': case 'approved': case 'rejected': {
        if (req.status === 'pending') {
          const why = doc.state === 'approved' ? 'approved_in_erp' : doc.state === 'rejected' ? 'rejected_in_erp' : doc.state;
          return ok(await this.d.approvals.erpWithdraw(tenantId, req.id, why, origin, trx), 'withdrawn');
        }
        return ok(await this.d.approvals.erpOriginUpdate(tenantId, req.id, origin, trx), 'updated');
      }
    }
  }

  private async intent(tenantId: string, key: string): Promise<{ def: IntentDefinition; version: number }> {
    const version = this.d.intents.versionOf(key);
    const def = await this.d.intents.definition(tenantId, key, version);
    if (!def) throw new ExternalServiceError('erp', 'erp.unknown_intent', `intent "${key}" is not in the catalog`, { retryable: false });
    return { def, version };
  }

  /**
   * The erp.decide job: sends the chat decision of one revision to the document. A later revision (the document
   * was resubmitted meanwhile) makes it moot. The outcome goes on the cards; a refusal by the ERP is shown there
   * and dead-letters the job (an admin replays it once the document can take it); an outage is retried.
   */
  async decide(tenantId: string, p: ErpDecidePayload): Promise<void> {
    const found = (await requestRepo.findRequestsWithTasks(this.d.db, [p.requestId])).get(p.requestId);
    const req = found?.request;
    if (!req || req.tenantId !== tenantId || !req.erpOrigin) throw new ExternalServiceError('erp', 'request.not_found', `no ERP-originated request ${p.requestId}`, { retryable: false });
    if (req.revision !== p.revision) {
      this.d.logger.info({ requestId: req.id, job: p.revision, now: req.revision }, 'decision of a superseded revision not sent');
      return;
    }
    const o = req.erpOrigin;
    const { inbox } = this.inbox(o.connector);
    // The decider is the one whose task ended the way the decision goes (a reject after earlier approvals is the rejecter's, even at the same instant).
    const outcome = p.decision === 'approve' ? 'approved' : 'rejected';
    const deciders = (found?.tasks ?? []).filter((t) => t.revision === p.revision && t.status === outcome && t.actedBy).sort((a, b) => (b.actedAt?.getTime() ?? 0) - (a.actedAt?.getTime() ?? 0));
    const who = deciders[0]?.actedBy ?? null;
    const approver = who ? await this.person(tenantId, o.connector, who) : undefined;
    const ref: ErpDocRef = { erp: o.connector, docKind: o.docKind as DocKind, formId: o.formId, id: o.erpId, externalKey: `origin:${o.formId}:${o.erpId}`, ...(o.number ? { number: o.number } : {}) };
    const at = this.d.clock.now().toISOString();
    try {
      const after = await inbox.decide(ref, { decision: p.decision, ...(p.reason ? { reason: p.reason } : {}), ...(approver ? { approver } : {}) });
      await this.d.db.transaction().execute(async (trx) => {
        await trx.updateTable('erp_originated').set({ decision: p.decision, decision_revision: p.revision, decision_status: 'done', state: after.state,
          version_stamp: after.versionStamp, last_error: null, updated_at: this.d.clock.now() }).where('connector', '=', o.connector).where('erp_id', '=', o.erpId).execute();
        await this.d.approvals.erpOriginUpdate(tenantId, req.id, { ...toOrigin(o.connector, after), decision: { decision: p.decision, revision: p.revision, status: 'done', at } }, trx);
      });
      this.d.onCommitted?.();
    } catch (e: unknown) {
      if (e instanceof AppError && 'retryable' in e && (e as ExternalServiceError).retryable) throw e;
      const error = e instanceof Error ? e.message : String(e);
      await this.d.db.transaction().execute(async (trx) => {
        await trx.updateTable('erp_originated').set({ decision: p.decision, decision_revision: p.revision, decision_status: 'failed', last_error: error.slice(0, 2000),
          updated_at: this.d.clock.now() }).where('connector', '=', o.connector).where('erp_id', '=', o.erpId).execute();
        await this.d.approvals.erpOriginUpdate(tenantId, req.id, { ...o, decision: { decision: p.decision, revision: p.revision, status: 'failed', at, error: error.slice(0, 500) } }, trx);
      });
      this.d.onCommitted?.();
      throw e;
    }
  }

  /** The decider as the ERP knows them (their linked ERP person when there is one) with their directory name. */
  private async person(tenantId: string, connectorId: string, userId: string): Promise<{ erpId?: string; name: string }> {
    const [erpId, users] = await Promise.all([erpPersonOf(this.d.db, tenantId, connectorId, userId), getUsers(this.d.db, tenantId, [userId])]);
    return { name: users.get(userId)?.name ?? userId, ...(erpId ? { erpId } : {}) };
  }

  /** Reads one pushed document back and applies it (a push says "look"; the ERP's answer is the truth). */
  async applyPushed(tenantId: string, connectorId: string, d: { id?: string; docKind?: string }): Promise<ApplyOutcome> {
    const { inbox } = this.inbox(connectorId);
    if (!d.id) return 'ignored';
    const known = await this.d.db.selectFrom('erp_originated').select(['doc_kind', 'number']).where('connector', '=', connectorId).where('erp_id', '=', d.id).executeTakeFirst();
    const docKind = (known?.doc_kind ?? d.docKind) as DocKind | undefined;
    if (!docKind || !inbox.docKinds().includes(docKind)) return 'ignored';
    const doc = await inbox.readOriginated({ erp: connectorId, docKind, formId: '', id: d.id, externalKey: '', ...(known?.number ? { number: known.number } : {}) });
    if (!doc) {
      if (!known) return 'ignored';
      // Gone from the ERP: what the request knew of it, marked deleted.
      const req = await this.d.db.selectFrom('erp_originated').select('request_id').where('connector', '=', connectorId).where('erp_id', '=', d.id).executeTakeFirst();
      const r = req?.request_id ? await requestRepo.findRequest(this.d.db, tenantId, req.request_id) : undefined;
      if (!r?.erpOrigin) return 'ignored';
      return this.apply(tenantId, connectorId, deletedDoc(r.erpOrigin, this.d.clock.now()));
    }
    return this.apply(tenantId, connectorId, doc);
  }
}

const isChange = (o: ApplyOutcome): boolean => o === 'submitted' || o === 'revised' || o === 'withdrawn' || o === 'updated';

/** A document the ERP no longer has, as the request last knew it. */
function deletedDoc(o: ErpOrigin, now: Date): OriginatedDoc {
  return {
    ref: { erp: o.connector, docKind: o.docKind as DocKind, formId: o.formId, id: o.erpId, externalKey: `origin:${o.formId}:${o.erpId}`, ...(o.number ? { number: o.number } : {}) },
    state: 'deleted', owner: o.owner, title: o.title, lines: o.lines, total: o.total, currency: o.currency, ...(o.party ? { party: o.party } : {}),
    ...(o.link ? { link: o.link } : {}), versionStamp: `deleted:${now.toISOString()}`, changedAt: now.toISOString(), raw: {},
  };
}
