import { sql, type Kysely } from 'kysely';
import { ExternalServiceError } from '../../core/errors.ts';
import { normalizeMoney } from '../../core/money.ts';
import type { Database } from '../../db/database.ts';
import {
  externalKeyString, type Capabilities, type CanonicalStatus, type ChangePage, type CreateDocumentInput, type CreateResult,
  type DocKind, type ErpConnector, type ErpDocRef, type ExternalKey, type StatusSnapshot,
} from '../erp-connector.ts';

const OVERLAP_MS = 5_000;

type SandboxRow = Awaited<ReturnType<typeof selectDoc>>;

function selectDoc(db: Kysely<Database>, where: { id?: number; externalKey?: string }) {
  let q = db.selectFrom('sandbox_erp_documents').selectAll();
  if (where.id !== undefined) q = q.where('id', '=', where.id);
  if (where.externalKey !== undefined) q = q.where('external_key', '=', where.externalKey);
  return q.executeTakeFirst();
}

/**
 * SANDBOX ERP: a pretend ledger kept in this service's own database, for the embedded default and demos.
 * It behaves like a lookup-only ERP (no server idempotency key): documents are created once per external
 * key, can be posted and paid from the console, and report changes through `listChanges` like a real one.
 */
export class SandboxErpConnector implements ErpConnector {
  readonly erp = 'sandbox';
  constructor(readonly id: string, private readonly db: Kysely<Database>, private readonly tenantId: string) {}

  capabilities(): Capabilities {
    return { idempotency: 'lookup-only', push: 'none', canUnapprove: true, canDeleteAfterReject: true, approvalMode: 'bot-is-source' };
  }

  async createDocument(input: CreateDocumentInput): Promise<CreateResult> {
    const key = externalKeyString(input.externalKey);
    const amount = normalizeMoney(input.payload.amount ?? '0') ?? '0.00';
    const status = input.autoApprove ? 'approved' : input.autoSubmit ? 'submitted' : 'saved';
    const inserted = await sql<{ id: number }>`
      insert into sandbox_erp_documents (tenant_id, number, doc_kind, external_key, payload, amount, status)
      values (${this.tenantId}, 'SBX-' || lpad(nextval(pg_get_serial_sequence('sandbox_erp_documents', 'id'))::text, 6, '0'),
        ${input.docKind}, ${key}, ${JSON.stringify(input.payload)}, ${amount}, ${status})
      on conflict (external_key) do nothing returning id`.execute(this.db);
    const row = await selectDoc(this.db, { externalKey: key });
    if (!row) throw new ExternalServiceError('sandbox-erp', 'erp.result_unknown', 'document vanished after create', { retryable: true });
    return { ref: this.ref(row), created: inserted.rows.length > 0, snapshot: this.snapshot(row) };
  }

  async findByExternalKey(_docKind: DocKind, key: ExternalKey): Promise<ErpDocRef | null> {
    const row = await selectDoc(this.db, { externalKey: externalKeyString(key) });
    return row ? this.ref(row) : null;
  }

  submit(ref: ErpDocRef): Promise<StatusSnapshot> { return this.move(ref, ['saved'], 'submitted'); }
  approve(ref: ErpDocRef): Promise<StatusSnapshot> { return this.move(ref, ['saved', 'submitted'], 'approved'); }
  reverse(ref: ErpDocRef): Promise<StatusSnapshot> { return this.move(ref, ['submitted', 'approved'], 'saved'); }

  /** Console "post" action: the ledger posts the approved document. */
  post(ref: ErpDocRef): Promise<StatusSnapshot> {
    return this.move(ref, ['approved'], 'posted', { posted_at: sql`now()` });
  }

  /** Console "pay" action: pays the full amount with a bank reference. */
  pay(ref: ErpDocRef, bankRef: string): Promise<StatusSnapshot> {
    return this.move(ref, ['approved', 'posted'], 'paid', { paid_at: sql`now()`, paid_amount: sql`amount`, bank_ref: bankRef });
  }

  async getStatus(ref: ErpDocRef): Promise<StatusSnapshot> {
    const row = await selectDoc(this.db, { id: Number(ref.id) });
    if (!row) throw new ExternalServiceError('sandbox-erp', 'erp.not_found', `no sandbox document ${ref.id}`, { retryable: false });
    return this.snapshot(row);
  }

  /** Cursor = last seen (modified_at, id, version); re-reads a small overlap window like a real poller must. */
  async listChanges(cursor: string | null, opts: { limit?: number } = {}): Promise<ChangePage> {
    // Re-read an overlap window: a transaction that committed late may carry an older timestamp.
    // The status sync ignores changes it has already applied.
    const since = cursor ? new Date(new Date(cursor).getTime() - OVERLAP_MS) : new Date(0);
    const rows = await this.db.selectFrom('sandbox_erp_documents').selectAll().where('tenant_id', '=', this.tenantId)
      .where('modified_at', '>', since).orderBy('modified_at').orderBy('id').limit(opts.limit ?? 100).execute();
    const last = rows.at(-1);
    return {
      changes: rows.map((r) => ({ ref: this.ref(r), to: r.status as CanonicalStatus, at: r.modified_at.toISOString(), source: 'poll' as const, snapshot: this.snapshot(r) })),
      nextCursor: last ? last.modified_at.toISOString() : (cursor ?? new Date(0).toISOString()),
      hasMore: rows.length === (opts.limit ?? 100),
    };
  }

  private async move(ref: ErpDocRef, from: string[], to: string, extra: Record<string, unknown> = {}): Promise<StatusSnapshot> {
    const row = await selectDoc(this.db, { id: Number(ref.id) });
    if (!row) throw new ExternalServiceError('sandbox-erp', 'erp.not_found', `no sandbox document ${ref.id}`, { retryable: false });
    if (row.status === to) return this.snapshot(row);
    if (!from.includes(row.status)) {
      throw new ExternalServiceError('sandbox-erp', 'erp.not_allowed_in_state', `document ${row.number} is ${row.status}; cannot become ${to}`, { retryable: false, httpStatus: 409 });
    }
    await this.db.updateTable('sandbox_erp_documents').set({ status: to, version: sql`version + 1`, modified_at: sql`clock_timestamp()`, ...extra })
      .where('id', '=', row.id).where('version', '=', row.version).execute();
    return this.getStatus(ref);
  }

  private ref(r: NonNullable<SandboxRow>): ErpDocRef {
    return { erp: this.erp, docKind: r.doc_kind as DocKind, formId: 'sandbox_document', id: String(r.id), number: r.number, externalKey: r.external_key };
  }

  private snapshot(r: NonNullable<SandboxRow>): StatusSnapshot {
    return {
      ref: this.ref(r), status: r.status as CanonicalStatus, raw: { status: r.status, version: r.version },
      amounts: { total: r.amount, paid: r.paid_amount, currency: 'CNY' }, changedAt: r.modified_at.toISOString(),
      ...(r.posted_at ? { postedAt: r.posted_at.toISOString() } : {}),
      ...(r.paid_at ? { payment: { at: r.paid_at.toISOString(), ...(r.bank_ref ? { bankRef: r.bank_ref } : {}) } } : {}),
      versionStamp: String(r.version),
    };
  }
}
