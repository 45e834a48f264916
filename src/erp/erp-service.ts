import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { IntentVersions } from '../workflow/intent-versions.ts';
import { AppError, ExternalServiceError, NotFoundError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { getUsers } from '../directory/directory-repo.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import type { CanonicalStatus, CreateResult, ErpConnector, StatusChange, StatusSnapshot } from './erp-connector.ts';
import { compareMoney } from '../core/money.ts';
import type { Clock } from '../core/clock.ts';
import { renderPayload } from './payload-template.ts';

export interface ErpServiceDeps {
  db: Kysely<Database>;
  connectors: Map<string, ErpConnector>;
  /** Which connector a request's bot (of that tenant) uses. */
  connectorFor: (botId: string, tenantId: string) => string;
  /** The connector a name in configuration means for a tenant (`sandbox` is each tenant's own ledger). */
  connectorNamed?: (name: string, tenantId: string) => string;
  approvals: ApprovalService;
  intents: IntentVersions;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** Runs in the transaction that links a document to its request (the sandbox tells its operators). */
  onDocumentCreated?: (tenantId: string, erpDocumentId: string, trx: Transaction<Database>) => Promise<void>;
  /** After a commit that queued jobs (wakes the outbox). */
  onCommitted?: () => void;
  /** A second ERP document carries a request's key (reconciliation records it as a finding). */
  onDuplicate?: (d: { tenantId: string; connector: string; requestId: string; externalKey: string; linked: string; other: string; otherNumber: string | null }) => Promise<void>;
}

type ErpEvent = Parameters<ApprovalService['erpEvent']>[2];

/**
 * How far along its life an ERP document is. A change that would move a document back (a poll that read
 * "posted" applied after the payment was recorded) is stale and ignored; `rejected`/`cancelled` end it.
 */
const PROGRESS: Partial<Record<CanonicalStatus, number>> = {
  draft: 0, saved: 0, submitted: 1, approved: 2, posted: 3, partially_paid: 4, paid: 5, rejected: 6, cancelled: 6,
};

/** Creates ERP documents for approved requests exactly once, and feeds ERP status back into requests. */
export class ErpService {
  constructor(private readonly d: ErpServiceDeps) {}

  connector(id: string): ErpConnector {
    const c = this.d.connectors.get(id);
    // A configuration fault: retrying will not help, so the job dead-letters at once (visible to admins).
    if (!c) throw new ExternalServiceError('erp', 'erp.unknown_connector', `no ERP connector "${id}"`, { retryable: false });
    return c;
  }

  /**
   * The erp.create job. The link row (unique per connector + external key) is reserved before the ERP
   * call; the connector itself is idempotent by key, so a retry after a crash finds the same document.
   */
  async createForRequest(tenantId: string, requestId: string): Promise<void> {
    const req = await requestRepo.findRequest(this.d.db, tenantId, requestId);
    if (!req) throw new ExternalServiceError('erp', 'request.not_found', `no request ${requestId}`, { retryable: false });
    if (req.status !== 'approved' || (req.erpStatus !== 'creating' && req.erpStatus !== 'failed')) return;
    const intent = await this.d.intents.definition(tenantId, req.intentKey, req.intentVersion);
    if (!intent?.erp) {
      // An intent without an ERP mapping (leave, seal use) is complete at approval; this moves a request that was
      // approved before its intent lost the mapping (or before that was understood) out of "creating".
      await this.d.approvals.erpEvent(tenantId, req.id, { type: 'erp_not_required' });
      return;
    }
    const connectorId = intent.erp.connector ? (this.d.connectorNamed?.(intent.erp.connector, tenantId) ?? intent.erp.connector) : this.d.connectorFor(req.origin.botId, tenantId);
    const connector = this.connector(connectorId);
    const externalKey = { namespace: `approval:${tenantId}`, key: `${req.number}:r${req.revision}` };
    const keyString = `${externalKey.namespace}:${externalKey.key}`;
    await this.d.db.insertInto('erp_documents').values({
      id: this.d.ids.uuid(), tenant_id: tenantId, request_id: req.id, connector: connectorId, doc_kind: intent.erp.doc_kind,
      external_key: keyString, status: 'creating', amount: req.amount, created_at: this.d.clock.now(),
    }).onConflict((oc) => oc.columns(['connector', 'external_key']).doNothing()).execute();
    const requester = (await getUsers(this.d.db, tenantId, [req.requesterId])).get(req.requesterId);
    const payload = renderPayload(intent.erp.payload, { fields: req.fields, number: req.number, requester: { id: req.requesterId, name: requester?.name ?? req.requesterId } });
    if (req.amount !== null && payload.amount === undefined) payload.amount = req.amount;
    payload.currency ??= 'CNY';
    let res: CreateResult;
    try {
      res = await connector.createDocument({ docKind: intent.erp.doc_kind, externalKey, payload, autoApprove: true });
    } catch (e: unknown) {
      // Kept on the document for admins; a refusal also reaches the card through the dead letter (erp_failed).
      const message = `${e instanceof AppError ? e.code : 'error'}: ${e instanceof Error ? e.message : String(e)}`;
      await this.d.db.updateTable('erp_documents').set({ last_error: message.slice(0, 2000), updated_at: this.d.clock.now() })
        .where('connector', '=', connectorId).where('external_key', '=', keyString).execute();
      throw e;
    }
    const total = res.snapshot.amounts?.total;
    if (req.amount !== null && total !== undefined && compareMoney(total, req.amount) !== 0) {
      this.d.logger.warn({ requestId: req.id, erpId: res.ref.id, approved: req.amount, erp: total }, 'ERP document amount differs from the approved amount');
    }
    const link = await this.d.db.updateTable('erp_documents').set({
      erp_id: res.ref.id, number: res.ref.number ?? null, form_id: res.ref.formId, status: res.snapshot.status, raw: JSON.stringify(res.snapshot.raw),
      ...(total !== undefined ? { erp_amount: total } : {}),
      version_stamp: res.snapshot.versionStamp, last_error: null, updated_at: this.d.clock.now(),
      // When the document came to exist (cycle times): the first successful link, not the first attempt.
      created_at: sql<Date>`case when erp_id is null then ${this.d.clock.now()}::timestamptz else created_at end`,
    }).where('connector', '=', connectorId).where('external_key', '=', keyString).returning('id').executeTakeFirstOrThrow();
    // The request learns of its document and the operators get their card in one commit: a retry after a
    // failure here runs both again, never one without the other.
    await this.d.db.transaction().execute(async (trx) => {
      const outcome = await this.d.approvals.erpEvent(tenantId, req.id, { type: 'erp_created' }, { connector: connectorId, id: res.ref.id, number: res.ref.number ?? null }, trx);
      if (outcome.ok && connector.ledger && this.d.onDocumentCreated) await this.d.onDocumentCreated(tenantId, link.id, trx);
    });
    this.d.onCommitted?.();
    this.d.logger.info({ requestId: req.id, erpId: res.ref.id, created: res.created }, 'ERP document linked');
  }

  /**
   * Polls one connector's change feed from its stored cursor and applies what changed: at most `maxPages` pages a
   * poll (the rest waits for the next one, from the cursor reached). The attempt, its success or its error are
   * recorded for the connector's health (admin API, /metrics); a failed poll keeps the cursor it started from.
   */
  async syncConnector(tenantId: string, connectorId: string, opts: { maxPages?: number; pageSize?: number } = {}): Promise<number> {
    const connector = this.connector(connectorId);
    const started = this.d.clock.now();
    const row = await this.d.db.selectFrom('erp_sync_cursors').select('cursor').where('tenant_id', '=', tenantId).where('connector', '=', connectorId).executeTakeFirst();
    let cursor = row?.cursor ?? null;
    let applied = 0;
    try {
      for (let page = 0; page < (opts.maxPages ?? 20); page++) {
        const res = await connector.listChanges(cursor, { limit: opts.pageSize ?? 100 });
        for (const c of await this.unseen(tenantId, connectorId, res.changes)) if (await this.applyChange(tenantId, connectorId, c)) applied++;
        const advanced = res.nextCursor !== cursor;
        cursor = res.nextCursor;
        // Saved per page: a poll that fails later resumes from the last page it finished.
        await this.saveCursor(tenantId, connectorId, { cursor, last_attempt_at: started });
        if (!res.hasMore || !advanced) break;
      }
    } catch (e: unknown) {
      const message = e instanceof Error ? e.message : String(e);
      await this.saveCursor(tenantId, connectorId, { cursor, last_attempt_at: started, last_error: message.slice(0, 2000), last_error_at: this.d.clock.now() });
      throw e;
    }
    await this.saveCursor(tenantId, connectorId, { cursor, last_attempt_at: started, last_success_at: this.d.clock.now() });
    await this.resumeAfterOutage(tenantId, connectorId);
    return applied;
  }

  /**
   * The ERP answers again: creations that used up their attempts while it was down (the ERP unreachable, or an
   * answer lost) are put back in the queue. Refusals by the ERP are not: they wait for an admin's replay.
   */
  private async resumeAfterOutage(tenantId: string, connectorId: string): Promise<void> {
    const r = await this.d.db.updateTable('outbox_jobs')
      .set({ status: 'pending', attempts: 0, coalesce_key: null, run_at: this.d.clock.now(), locked_by: null, updated_at: this.d.clock.now() })
      .where('tenant_id', '=', tenantId).where('kind', '=', 'erp.create').where('status', '=', 'dead')
      .where((eb) => eb(sql<string>`payload->>'requestId'`, 'in', eb.selectFrom('erp_documents').select(sql<string>`request_id::text`.as('r'))
        .where('tenant_id', '=', tenantId).where('connector', '=', connectorId).where('status', '=', 'creating')
        .where((w) => w.or([w('last_error', 'like', 'erp.unavailable:%'), w('last_error', 'like', 'erp.result_unknown:%')]))))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) {
      this.d.logger.info({ connector: connectorId, jobs: Number(r.numUpdatedRows) }, 'ERP reachable again: stalled document creations resumed');
      this.d.onCommitted?.();
    }
  }

  /**
   * The changes of a page that may be news: one query for the whole page drops documents that are not ours and
   * those whose status and version stamp are already on file (what an overlap window re-reads), so a poll over
   * unchanged documents costs a query per page, not one per document.
   */
  private async unseen(tenantId: string, connectorId: string, changes: StatusChange[]): Promise<StatusChange[]> {
    if (changes.length === 0) return [];
    const keys = [...new Set(changes.map((c) => c.snapshot.ref.externalKey))];
    const rows = await this.d.db.selectFrom('erp_documents').select(['external_key', 'status', 'version_stamp'])
      .where('tenant_id', '=', tenantId).where('connector', '=', connectorId).where('external_key', 'in', keys).execute();
    const known = new Map(rows.map((r) => [r.external_key, r]));
    return changes.filter((c) => {
      const doc = known.get(c.snapshot.ref.externalKey);
      return doc !== undefined && !(doc.version_stamp !== null && doc.version_stamp === c.snapshot.versionStamp && doc.status === c.snapshot.status);
    });
  }

  private async saveCursor(tenantId: string, connectorId: string, set: { cursor: string | null; last_attempt_at: Date; last_success_at?: Date; last_error?: string; last_error_at?: Date }): Promise<void> {
    const values = { ...set, updated_at: this.d.clock.now() };
    await this.d.db.insertInto('erp_sync_cursors').values({ tenant_id: tenantId, connector: connectorId, ...values })
      .onConflict((oc) => oc.columns(['tenant_id', 'connector']).doUpdateSet(values)).execute();
  }

  /**
   * Applies one ERP change to the linked document and its request, in one transaction: a failure leaves
   * both as they were, so the change is applied when the feed is read again. Repeats (the version stamp on file)
   * and stale changes (a status behind the recorded one) are no-ops; a new stamp with the same status (another
   * part payment) is recorded. With `trx`, inside the caller's transaction (a sandbox click that moves the ledger
   * and records itself in the same commit); the caller says when it committed.
   */
  async applyChange(tenantId: string, connectorId: string, c: StatusChange | { snapshot: StatusSnapshot }, trx?: Transaction<Database>): Promise<boolean> {
    const s = c.snapshot;
    const doc = await (trx ?? this.d.db).selectFrom('erp_documents').selectAll().where('tenant_id', '=', tenantId).where('connector', '=', connectorId)
      .where('external_key', '=', s.ref.externalKey).executeTakeFirst();
    if (!doc) return false;
    if (doc.erp_id !== null && doc.erp_id !== s.ref.id) {
      // A second document carries this request's key (copied in the ERP, or made by hand): it is reported, never
      // applied over the one the request is linked to.
      await this.d.onDuplicate?.({ tenantId, connector: connectorId, requestId: doc.request_id, externalKey: s.ref.externalKey, linked: doc.erp_id, other: s.ref.id, otherNumber: s.ref.number ?? null });
      return false;
    }
    if (doc.version_stamp !== null && doc.version_stamp === s.versionStamp && doc.status === s.status) return false;
    const recorded = PROGRESS[doc.status as CanonicalStatus] ?? -1;
    const reported = PROGRESS[s.status] ?? -1;
    if (reported < recorded) {
      this.d.logger.info({ erpDocumentId: doc.id, recorded: doc.status, reported: s.status }, 'stale ERP change ignored');
      return false;
    }
    const paidNow = s.amounts?.paid ?? (s.status === 'paid' ? s.amounts?.total : undefined) ?? null;
    const samePayment = paidNow === null || (doc.paid_amount !== null && compareMoney(String(doc.paid_amount), paidNow) === 0);
    // Same status, new stamp: only a part payment that grew is news for the request; anything else updates the row.
    const news = reported > recorded || (s.status === 'partially_paid' && !samePayment);
    const ev = news ? requestEvent(s, paidNow) : null;
    const apply = async (trx: Transaction<Database>): Promise<boolean> => {
      // Compare-and-set on what was read above: a concurrent sync (the periodic poll, a push and an operator's
      // click) that got there first wins, and this one is a no-op.
      let q = trx.updateTable('erp_documents').set({
        status: s.status, erp_id: s.ref.id, number: s.ref.number ?? doc.number, raw: JSON.stringify(s.raw), updated_at: this.d.clock.now(),
        version_stamp: s.versionStamp, ...(s.voucher ? { voucher: s.voucher } : {}), ...(s.amounts?.total ? { erp_amount: s.amounts.total } : {}),
        // Paid implies posted: a poll that skipped the posting still records when the document was booked.
        ...(s.postedAt ? { posted_at: s.postedAt } : s.status === 'paid' && !doc.posted_at && s.payment ? { posted_at: s.payment.at } : {}),
        ...(s.payment ? { paid_at: s.payment.at, bank_ref: s.payment.bankRef ?? null } : {}),
        ...(paidNow !== null && (s.status === 'paid' || s.status === 'partially_paid') ? { paid_amount: paidNow } : {}),
      }).where('id', '=', doc.id).where('status', '=', doc.status);
      q = doc.version_stamp === null ? q.where('version_stamp', 'is', null) : q.where('version_stamp', '=', doc.version_stamp);
      const moved = await q.executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      if (!ev) return true;
      try {
        const out = await this.d.approvals.erpEvent(tenantId, doc.request_id, ev, undefined, trx);
        if (!out.ok && out.error.code !== 'workflow.already_handled' && out.error.code !== 'workflow.illegal_transition') {
          this.d.logger.warn({ requestId: doc.request_id, error: out.error }, 'ERP change not applied to request');
        }
      } catch (e: unknown) {
        // A document whose request is gone cannot hold up the feed; anything else (the database) is retried.
        if (!(e instanceof NotFoundError)) throw e;
        this.d.logger.warn({ requestId: doc.request_id, erpDocumentId: doc.id }, 'ERP document has no request; status recorded on the document only');
      }
      return true;
    };
    if (trx) return apply(trx);
    const applied = await this.d.db.transaction().execute(apply);
    if (applied) this.d.onCommitted?.();
    return applied;
  }
}

/** The request event an ERP status brings (the ones a requester hears about), or null. */
function requestEvent(s: StatusSnapshot, paid: string | null): ErpEvent | null {
  const payment = s.payment ? { paidAt: s.payment.at, bankRef: s.payment.bankRef ?? null } : {};
  const currency = s.amounts?.currency ?? null;
  switch (s.status) {
    case 'posted': return { type: 'erp_posted', ...(s.postedAt ? { postedAt: s.postedAt } : {}), voucher: s.voucher ?? null };
    case 'partially_paid': return { type: 'erp_paid', partial: true, amount: paid, currency, ...payment };
    case 'paid': return { type: 'erp_paid', amount: paid, currency, ...payment };
    default: return null;
  }
}

/**
 * The ledger of a request whose bot is no longer configured (disabled or removed since): the one its
 * tenant's bots use. When they use different ones there is no right guess, and the job dead-letters.
 */
export function tenantErp(bots: { tenant: string; erp: string }[], tenant: string, named: (name: string, tenant: string) => string, exists: (connector: string) => boolean): string {
  const used = [...new Set(bots.filter((b) => b.tenant === tenant).map((b) => named(b.erp, tenant)))];
  if (used.length > 1) {
    throw new ExternalServiceError('erp', 'erp.unknown_connector', `the request's bot is no longer configured and tenant "${tenant}" uses several ERPs (${used.join(', ')})`, { retryable: false });
  }
  const ledger = used[0] ?? named('sandbox', tenant);
  if (!exists(ledger)) {
    throw new ExternalServiceError('erp', 'erp.unknown_connector', `the request's bot is no longer configured and tenant "${tenant}" has no enabled bot, so no ERP is set up for it`, { retryable: false });
  }
  return ledger;
}
