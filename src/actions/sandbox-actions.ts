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
import { sandboxDocStatus } from '../cards/sandbox-doc-card.ts';
import { t } from '../i18n/catalog.ts';
import type { AckReply } from '../core/inbound-event.ts';

export interface SandboxActionDeps {
  db: Kysely<Database>; erp: ErpService; directory: DirectoryViews; ids: IdGenerator; clock: Clock; maxAttempts: number; onCommitted?: () => void;
  /** Who may post and pay (the sandbox connector's operator roles, picked by the composition root). */
  operatorRoles: readonly string[];
  /** A bot's language: the operator cards' when an operator has not written in one yet. */
  localeOf: (botId: string) => Locale;
}

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
      return { status: 403, toast: { type: 'error', text: t(locale, 'toast.erp.forbidden') }, error: { code: 'erp.forbidden', message: 'finance or admin role required' } };
    }
    const doc = /^[0-9a-f-]{36}$/i.test(docId) ? await this.d.db.selectFrom('erp_documents').selectAll().where('id', '=', docId).where('tenant_id', '=', user.tenantId).executeTakeFirst() : undefined;
    if (!doc?.erp_id) return { status: 404, toast: { type: 'error', text: t(locale, 'toast.erp.notFound') }, error: { code: 'erp.not_found', message: `no ERP document ${docId}` } };
    // Only a ledger this service keeps can be moved from the chat; real ERPs post and pay in the ERP.
    const ledger = this.d.erp.connector(doc.connector).ledger;
    if (!ledger) {
      return { status: 400, toast: { type: 'error', text: t(locale, 'toast.erp.notSandbox') }, error: { code: 'erp.not_sandbox', message: 'only sandbox documents can be moved from chat' } };
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
        await publishSandboxDoc(trx, this.d.directory, this.d.operatorRoles, user.tenantId, doc.id, this.d.maxAttempts, this.d.localeOf);
        await record(trx);
        return m;
      });
    } catch (e: unknown) {
      if (!(e instanceof ExternalServiceError)) throw e;
      // The ledger refused (nothing was written): said in the chat's language, the ledger's words kept for the API.
      const status = typeof e.details?.['status'] === 'string' ? e.details['status'] : undefined;
      const text = e.code === 'erp.not_allowed_in_state' && status ? notAllowed(locale, doc.number ?? doc.erp_id, status, op)
        : t(locale, e.code === 'erp.not_found' ? 'toast.erp.notFound' : 'toast.erp.refused');
      return { status: e.code === 'erp.not_found' ? 404 : 409, toast: { type: 'error', text }, error: { code: e.code, message: e.message } };
    }
    this.d.onCommitted?.();
    const snap = moved.snapshot;
    if (!moved.changed) {
      const text = op === 'erp.post' ? t(locale, 'toast.erp.alreadyPosted') : t(locale, 'toast.erp.alreadyPaid', { ref: snap.payment?.bankRef ?? '-' });
      return { status: 409, toast: { type: 'info', text }, error: { code: 'erp.already_done', message: text } };
    }
    return { status: 200, toast: { type: 'success', text: t(locale, op === 'erp.post' ? 'toast.erp.posted' : 'toast.erp.paid') } };
  }
}

/**
 * "Document SBX-000012 is saved; it cannot be posted", in the chat's language. Pay on a document not yet posted
 * (the card offers Pay only once it is; a stale or forged click) says to post it first.
 */
function notAllowed(locale: Locale, number: string, status: string, op: 'erp.post' | 'erp.pay'): string {
  const params = { number, status: sandboxDocStatus(locale, status) };
  if (op === 'erp.post') return t(locale, 'toast.erp.cannotPost', params);
  return t(locale, status === 'approved' || status === 'saved' || status === 'submitted' ? 'toast.erp.payBeforePost' : 'toast.erp.cannotPay', params);
}
