import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { IntentVersions } from '../workflow/intent-versions.ts';
import { ExternalServiceError, NotFoundError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { getUsers } from '../directory/directory-repo.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import type { CanonicalStatus, ErpConnector, StatusChange, StatusSnapshot } from './erp-connector.ts';
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
  logger: Logger;
  /** Runs in the transaction that links a document to its request (the sandbox tells its operators). */
  onDocumentCreated?: (tenantId: string, erpDocumentId: string, trx: Transaction<Database>) => Promise<void>;
  /** After a commit that queued jobs (wakes the outbox). */
  onCommitted?: () => void;
}

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
      await this.d.approvals.erpEvent(tenantId, req.id, { type: 'erp_failed', reason: 'intent has no ERP mapping' });
      return;
    }
    const connectorId = intent.erp.connector ? (this.d.connectorNamed?.(intent.erp.connector, tenantId) ?? intent.erp.connector) : this.d.connectorFor(req.origin.botId, tenantId);
    const connector = this.connector(connectorId);
    const externalKey = { namespace: `approval:${tenantId}`, key: `${req.number}:r${req.revision}` };
    const keyString = `${externalKey.namespace}:${externalKey.key}`;
    await this.d.db.insertInto('erp_documents').values({
      id: this.d.ids.uuid(), tenant_id: tenantId, request_id: req.id, connector: connectorId, doc_kind: intent.erp.doc_kind,
      external_key: keyString, status: 'creating', amount: req.amount,
    }).onConflict((oc) => oc.columns(['connector', 'external_key']).doNothing()).execute();
    const requester = (await getUsers(this.d.db, tenantId, [req.requesterId])).get(req.requesterId);
    const payload = renderPayload(intent.erp.payload, { fields: req.fields, number: req.number, requester: { id: req.requesterId, name: requester?.name ?? req.requesterId } });
    const res = await connector.createDocument({ docKind: intent.erp.doc_kind, externalKey, payload, autoApprove: true });
    const link = await this.d.db.updateTable('erp_documents').set({
      erp_id: res.ref.id, number: res.ref.number ?? null, status: res.snapshot.status, raw: JSON.stringify(res.snapshot.raw), updated_at: sql`now()`,
    }).where('connector', '=', connectorId).where('external_key', '=', keyString).returning('id').executeTakeFirstOrThrow();
    // The request learns of its document and the operators get their card in one commit: a retry after a
    // failure here runs both again, never one without the other.
    await this.d.db.transaction().execute(async (trx) => {
      const outcome = await this.d.approvals.erpEvent(tenantId, req.id, { type: 'erp_created' }, { connector: connectorId, id: res.ref.id, number: res.ref.number ?? null }, trx);
      if (outcome.ok && this.d.onDocumentCreated) await this.d.onDocumentCreated(tenantId, link.id, trx);
    });
    this.d.onCommitted?.();
    this.d.logger.info({ requestId: req.id, erpId: res.ref.id, created: res.created }, 'ERP document linked');
  }

  /** Polls one connector's change feed from its stored cursor and applies what changed. */
  async syncConnector(tenantId: string, connectorId: string): Promise<number> {
    const connector = this.connector(connectorId);
    const row = await this.d.db.selectFrom('erp_sync_cursors').select('cursor').where('tenant_id', '=', tenantId).where('connector', '=', connectorId).executeTakeFirst();
    let cursor = row?.cursor ?? null;
    let applied = 0;
    for (let page = 0; page < 50; page++) {
      const res = await connector.listChanges(cursor, { limit: 100 });
      for (const c of res.changes) if (await this.applyChange(tenantId, connectorId, c)) applied++;
      const advanced = res.nextCursor !== cursor;
      cursor = res.nextCursor;
      if (!res.hasMore || !advanced) break;
    }
    await this.d.db.insertInto('erp_sync_cursors').values({ tenant_id: tenantId, connector: connectorId, cursor })
      .onConflict((oc) => oc.columns(['tenant_id', 'connector']).doUpdateSet({ cursor, updated_at: sql`now()` })).execute();
    return applied;
  }

  /**
   * Applies one ERP change to the linked document and its request, in one transaction: a failure leaves
   * both as they were, so the change is applied when the feed is read again. Repeats and stale changes
   * (older than what is recorded) are no-ops. With `trx`, inside the caller's transaction (a sandbox click
   * that moves the ledger and records itself in the same commit); the caller says when it committed.
   */
  async applyChange(tenantId: string, connectorId: string, c: StatusChange | { snapshot: StatusSnapshot }, trx?: Transaction<Database>): Promise<boolean> {
    const s = c.snapshot;
    const doc = await (trx ?? this.d.db).selectFrom('erp_documents').selectAll().where('tenant_id', '=', tenantId).where('connector', '=', connectorId)
      .where('external_key', '=', s.ref.externalKey).executeTakeFirst();
    if (!doc || doc.status === s.status) return false;
    if ((PROGRESS[s.status] ?? -1) < (PROGRESS[doc.status as CanonicalStatus] ?? -1)) {
      this.d.logger.info({ erpDocumentId: doc.id, recorded: doc.status, reported: s.status }, 'stale ERP change ignored');
      return false;
    }
    const ev: Parameters<ApprovalService['erpEvent']>[2] | null = s.status === 'posted' ? { type: 'erp_posted', ...(s.postedAt ? { postedAt: s.postedAt } : {}) }
      : s.status === 'paid' ? { type: 'erp_paid', amount: s.amounts?.paid ?? s.amounts?.total ?? null, ...(s.payment ? { paidAt: s.payment.at, bankRef: s.payment.bankRef ?? null } : {}) }
      : null;
    const apply = async (trx: Transaction<Database>): Promise<boolean> => {
      // Compare-and-set on the status read above: a concurrent sync (the periodic poll and an operator's
      // click) that got there first wins, and this one is a no-op.
      const moved = await trx.updateTable('erp_documents').set({
        status: s.status, erp_id: s.ref.id, number: s.ref.number ?? doc.number, raw: JSON.stringify(s.raw), updated_at: sql`now()`,
        ...(s.postedAt ? { posted_at: s.postedAt } : {}),
        ...(s.payment ? { paid_at: s.payment.at, bank_ref: s.payment.bankRef ?? null, paid_amount: s.amounts?.paid ?? s.amounts?.total ?? null } : {}),
      }).where('id', '=', doc.id).where('status', '=', doc.status).executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return false;
      if (!ev) return true;
      try {
        const out = await this.d.approvals.erpEvent(tenantId, doc.request_id, ev, undefined, trx);
        if (!out.ok && out.error.code !== 'workflow.already_handled') this.d.logger.warn({ requestId: doc.request_id, error: out.error }, 'ERP change not applied to request');
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
