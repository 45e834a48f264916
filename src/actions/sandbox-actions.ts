import type { Kysely, Transaction } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import type { Locale } from '../core/locale.ts';
import type { Clock } from '../core/clock.ts';
import { ExternalServiceError } from '../core/errors.ts';
import type { IdGenerator } from '../core/ids.ts';
import type { Database } from '../db/database.ts';
import type { DirectoryUser } from '../directory/directory-repo.ts';
import type { DirectoryViews } from '../directory/directory-view.ts';
import type { LedgerMove } from '../erp/erp-connector.ts';
import type { ErpService } from '../erp/erp-service.ts';
import { publishSandboxDoc } from './sandbox-doc-publish.ts';
import type { AckReply } from '../core/inbound-event.ts';

export interface SandboxActionDeps {
  db: Kysely<Database>; erp: ErpService; directory: DirectoryViews; ids: IdGenerator; clock: Clock; maxAttempts: number; onCommitted?: () => void;
  /** Who may post and pay (the sandbox connector's operator roles, picked by the composition root). */
  operatorRoles: readonly string[];
}

const T = {
  forbidden: { zh: '只有财务可以操作', en: 'Only finance can do this' },
  notFound: { zh: '找不到这张单据', en: 'No such document' },
  notSandbox: { zh: '只有沙箱 ERP 的单据可以在聊天里入账或付款', en: 'Only sandbox ERP documents can be posted or paid from chat' },
  posted: { zh: '已入账', en: 'Posted' },
  paid: { zh: '已付款', en: 'Paid' },
  alreadyPosted: { zh: '这张单据已经入账', en: 'This document was already posted' },
  alreadyPaid: { zh: '这张单据已经付款（银行流水 {ref}）', en: 'This document was already paid (bank reference {ref})' },
  refused: { zh: 'ERP 暂时不能处理这个操作，请稍后再试', en: 'The ERP could not do this just now; try again later' },
  notAllowed: { zh: '单据 {number} 当前状态为「{status}」，不能{op}', en: 'Document {number} is {status}; it cannot be {opEn}' },
};
const STATUS_ZH: Record<string, string> = { saved: '已保存', submitted: '已提交', approved: '已审核', posted: '已入账', paid: '已付款' };

/**
 * The console's Post / Pay buttons on sandbox documents. The ledger lives in this database, so the move,
 * who made it (audit), the request's ERP status, the operators' refreshed card and the click's own inbox
 * row commit together: a failure anywhere leaves the click unrecorded and its redelivery acts again.
 */
export class SandboxActions {
  constructor(private readonly d: SandboxActionDeps) {}

  /** `record` marks the click handled inside the move's transaction (it throws if a redelivery got there first). */
  async handle(user: DirectoryUser, op: 'erp.post' | 'erp.pay', docId: string, bankRef: string, locale: Locale, record: (trx: Transaction<Database>) => Promise<void>): Promise<AckReply> {
    if (!user.roles.some((r) => this.d.operatorRoles.includes(r))) {
      return { status: 403, toast: { type: 'error', text: T.forbidden[locale] }, error: { code: 'erp.forbidden', message: 'finance or admin role required' } };
    }
    const doc = /^[0-9a-f-]{36}$/i.test(docId) ? await this.d.db.selectFrom('erp_documents').selectAll().where('id', '=', docId).where('tenant_id', '=', user.tenantId).executeTakeFirst() : undefined;
    if (!doc?.erp_id) return { status: 404, toast: { type: 'error', text: T.notFound[locale] }, error: { code: 'erp.not_found', message: `no ERP document ${docId}` } };
    // Only a ledger this service keeps can be moved from the chat; real ERPs post and pay in the ERP.
    const ledger = this.d.erp.connector(doc.connector).ledger;
    if (!ledger) {
      return { status: 400, toast: { type: 'error', text: T.notSandbox[locale] }, error: { code: 'erp.not_sandbox', message: 'only sandbox documents can be moved from chat' } };
    }
    const ref = { erp: 'sandbox', docKind: doc.doc_kind as 'payable', formId: 'sandbox_document', id: doc.erp_id, externalKey: doc.external_key };
    const bank = op === 'erp.pay' ? bankRef.trim() || `SBX-BANK-${this.d.ids.uuid().slice(0, 8).toUpperCase()}` : undefined;
    let moved: LedgerMove;
    try {
      moved = await this.d.db.transaction().execute(async (trx) => {
        // The link row first, as the status sync takes it (then the request and its audit chain): the same
        // lock order as a poll applying an earlier change of this document, so the two cannot deadlock.
        await trx.selectFrom('erp_documents').select('id').where('id', '=', doc.id).forUpdate().execute();
        const m = op === 'erp.post' ? await ledger.post(ref, trx) : await ledger.pay(ref, bank ?? '', trx);
        // Who moved the ledger, on the request's own audit chain (the ERP's report of it follows as actor erp).
        // A click that found it done (the other finance operator got there first) records nothing in this person's name.
        if (m.changed) {
          await appendAudit(trx, { tenantId: user.tenantId, at: this.d.clock.now(), actor: user.id, action: op, source: 'card', subjectType: 'request', subjectId: doc.request_id,
            meta: { erpDocument: doc.number ?? doc.erp_id, status: m.snapshot.status, ...(bank ? { bankRef: m.snapshot.payment?.bankRef ?? bank } : {}) } });
        }
        // The ledger reports its move to the request at once, as an ERP push would; the change feed later finds it applied.
        await this.d.erp.applyChange(user.tenantId, doc.connector, { snapshot: m.snapshot }, trx);
        await publishSandboxDoc(trx, this.d.directory, this.d.operatorRoles, user.tenantId, doc.id, this.d.maxAttempts);
        await record(trx);
        return m;
      });
    } catch (e: unknown) {
      if (!(e instanceof ExternalServiceError)) throw e;
      // The ledger refused (nothing was written): said in the chat's language, the ledger's words kept for the API.
      const status = typeof e.details?.['status'] === 'string' ? e.details['status'] : undefined;
      const text = e.code === 'erp.not_allowed_in_state' && status ? notAllowed(locale, doc.number ?? doc.erp_id, status, op)
        : e.code === 'erp.not_found' ? T.notFound[locale] : T.refused[locale];
      return { status: e.code === 'erp.not_found' ? 404 : 409, toast: { type: 'error', text }, error: { code: e.code, message: e.message } };
    }
    this.d.onCommitted?.();
    const snap = moved.snapshot;
    if (!moved.changed) {
      const text = op === 'erp.post' ? T.alreadyPosted[locale] : T.alreadyPaid[locale].replace('{ref}', snap.payment?.bankRef ?? '-');
      return { status: 409, toast: { type: 'info', text }, error: { code: 'erp.already_done', message: text } };
    }
    return { status: 200, toast: { type: 'success', text: op === 'erp.post' ? T.posted[locale] : T.paid[locale] } };
  }
}

/** "Document SBX-000012 is saved; it cannot be posted", in the chat's language. */
function notAllowed(locale: Locale, number: string, status: string, op: 'erp.post' | 'erp.pay'): string {
  return T.notAllowed[locale].replace('{number}', number).replace('{status}', locale === 'zh' ? STATUS_ZH[status] ?? status : status)
    .replace('{op}', op === 'erp.post' ? '入账' : '付款').replace('{opEn}', op === 'erp.post' ? 'posted' : 'paid');
}
