import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import type { Locale } from '../conversation/resolver.ts';
import type { Clock } from '../core/clock.ts';
import { ExternalServiceError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryUser } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import { SandboxErpConnector, type Moved } from '../erp/connectors/sandbox.ts';
import type { ErpService } from '../erp/erp-service.ts';
import { publishSandboxDoc, SANDBOX_OPERATOR_ROLES } from '../erp/sandbox-operator.ts';
import type { AckReply } from '../platforms/platform.ts';

export interface SandboxActionDeps { db: Kysely<Database>; erp: ErpService; directory: DirectoryViews; ids: IdGenerator; clock: Clock; maxAttempts: number; onCommitted?: () => void }

/** The console's Post / Pay buttons on sandbox documents: move the pretend ledger, then sync like a real ERP. */
export class SandboxActions {
  constructor(private readonly d: SandboxActionDeps) {}

  async handle(user: DirectoryUser, op: 'erp.post' | 'erp.pay', docId: string, bankRef: string, locale: Locale): Promise<AckReply> {
    if (!user.roles.some((r) => SANDBOX_OPERATOR_ROLES.includes(r))) {
      return { status: 403, toast: { type: 'error', text: locale === 'zh' ? '只有财务可以操作' : 'Only finance can do this' }, error: { code: 'erp.forbidden', message: 'finance or admin role required' } };
    }
    const doc = /^[0-9a-f-]{36}$/i.test(docId) ? await this.d.db.selectFrom('erp_documents').selectAll().where('id', '=', docId).where('tenant_id', '=', user.tenantId).executeTakeFirst() : undefined;
    if (!doc?.erp_id) return { status: 404, toast: { type: 'error', text: 'no such document' }, error: { code: 'erp.not_found', message: `no ERP document ${docId}` } };
    const connector = this.d.erp.connector(doc.connector);
    if (!(connector instanceof SandboxErpConnector)) return { status: 400, error: { code: 'erp.not_sandbox', message: 'only sandbox documents can be moved from chat' } };
    const ref = { erp: 'sandbox', docKind: doc.doc_kind as 'payable', formId: 'sandbox_document', id: doc.erp_id, externalKey: doc.external_key };
    const bank = op === 'erp.pay' ? bankRef.trim() || `SBX-BANK-${this.d.ids.uuid().slice(0, 8).toUpperCase()}` : undefined;
    let moved: Moved;
    try {
      moved = op === 'erp.post' ? await connector.post(ref) : await connector.pay(ref, bank ?? '');
    } catch (e: unknown) {
      if (e instanceof ExternalServiceError) return { status: 409, toast: { type: 'error', text: e.message }, error: { code: e.code, message: e.message } };
      throw e;
    }
    const snap = moved.snapshot;
    // Who moved the ledger, on the request's own audit chain (the ERP's report of it follows as actor erp).
    // A click that found it done (the other finance operator got there first) records nothing in this person's name.
    if (moved.changed) {
      await appendAudit(this.d.db, { tenantId: user.tenantId, at: this.d.clock.now(), actor: user.id, action: op, source: 'card', subjectType: 'request', subjectId: doc.request_id,
        meta: { erpDocument: doc.number ?? doc.erp_id, status: snap.status, ...(bank ? { bankRef: snap.payment?.bankRef ?? bank } : {}) } });
    }
    await this.d.erp.syncConnector(user.tenantId, doc.connector);
    await publishSandboxDoc(this.d.db, this.d.directory, user.tenantId, doc.id, this.d.maxAttempts);
    this.d.onCommitted?.();
    if (!moved.changed) {
      const zh = locale === 'zh';
      const text = op === 'erp.post' ? (zh ? '这张单据已经入账' : 'This document was already posted')
        : zh ? `这张单据已经付款（银行流水 ${snap.payment?.bankRef ?? '-'}）` : `This document was already paid (bank reference ${snap.payment?.bankRef ?? '-'})`;
      return { status: 409, toast: { type: 'info', text }, error: { code: 'erp.already_done', message: text } };
    }
    return { status: 200, toast: { type: 'success', text: op === 'erp.post' ? (locale === 'zh' ? '已入账' : 'Posted') : (locale === 'zh' ? '已付款' : 'Paid') } };
  }
}
