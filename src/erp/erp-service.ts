import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { IntentVersions } from '../config/intent-versions.ts';
import { ExternalServiceError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import { getUsers } from '../directory/directory-repo.ts';
import type { ApprovalService } from '../workflow/approval-service.ts';
import * as requestRepo from '../workflow/request-repo.ts';
import type { ErpConnector, StatusChange, StatusSnapshot } from './erp-connector.ts';
import { renderPayload } from './payload-template.ts';

export interface ErpServiceDeps {
  db: Kysely<Database>;
  connectors: Map<string, ErpConnector>;
  /** Which connector a request's bot uses. */
  connectorFor: (botId: string) => string;
  /** The connector a name in configuration means for a tenant (`sandbox` is each tenant's own ledger). */
  connectorNamed?: (name: string, tenantId: string) => string;
  approvals: ApprovalService;
  intents: IntentVersions;
  ids: IdGenerator;
  logger: Logger;
  /** Called after a document is linked (the sandbox tells its operators). */
  onDocumentCreated?: (tenantId: string, erpDocumentId: string) => Promise<void>;
}

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
    const connectorId = intent.erp.connector ? (this.d.connectorNamed?.(intent.erp.connector, tenantId) ?? intent.erp.connector) : this.d.connectorFor(req.origin.botId);
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
    const outcome = await this.d.approvals.erpEvent(tenantId, req.id, { type: 'erp_created' }, { connector: connectorId, id: res.ref.id, number: res.ref.number ?? null });
    if (outcome.ok && this.d.onDocumentCreated) await this.d.onDocumentCreated(tenantId, link.id);
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

  /** Applies one ERP change to the linked document and request; repeats are no-ops. */
  async applyChange(tenantId: string, connectorId: string, c: StatusChange | { snapshot: StatusSnapshot }): Promise<boolean> {
    const s = c.snapshot;
    const doc = await this.d.db.selectFrom('erp_documents').selectAll().where('connector', '=', connectorId).where('external_key', '=', s.ref.externalKey).executeTakeFirst();
    if (!doc || doc.status === s.status) return false;
    await this.d.db.updateTable('erp_documents').set({
      status: s.status, erp_id: s.ref.id, number: s.ref.number ?? doc.number, raw: JSON.stringify(s.raw), updated_at: sql`now()`,
      ...(s.postedAt ? { posted_at: s.postedAt } : {}),
      ...(s.payment ? { paid_at: s.payment.at, bank_ref: s.payment.bankRef ?? null, paid_amount: s.amounts?.paid ?? s.amounts?.total ?? null } : {}),
    }).where('id', '=', doc.id).execute();
    const ev = s.status === 'posted' ? 'erp_posted' : s.status === 'paid' ? 'erp_paid' : null;
    if (!ev) return true;
    const out = await this.d.approvals.erpEvent(tenantId, doc.request_id, { type: ev });
    if (!out.ok && out.error.code !== 'workflow.already_handled') this.d.logger.warn({ requestId: doc.request_id, error: out.error }, 'ERP change not applied to request');
    return true;
  }
}
