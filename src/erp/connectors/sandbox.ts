import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../core/clock.ts';
import { ExternalServiceError } from '../../core/errors.ts';
import { normalizeMoney } from '../../core/money.ts';
import type { Database } from '../../db/database.ts';
import {
  externalKeyString, type Capabilities, type CanonicalStatus, type ChangePage, type CreateDocumentInput, type CreateResult,
  type DocKind, type ErpConnector, type ErpDocRef, type ExternalKey, type LedgerMove, type OperatorLedger, type StatusSnapshot,
} from '../erp-connector.ts';

const OVERLAP_MS = 5_000;

type SandboxRow = Awaited<ReturnType<typeof selectDoc>>;

/** Who may post and pay sandbox documents from the chat (stand-ins for the finance team in a real ERP). */
export const SANDBOX_OPERATOR_ROLES: readonly string[] = ['finance', 'admin'];

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
 * Business times (posted, paid) come from the injected clock, as every business time in this service does;
 * `modified_at` is the change feed's own bookkeeping and stays on the database clock, which orders commits.
 */
export class SandboxErpConnector implements ErpConnector, OperatorLedger {
  readonly erp = 'sandbox';
  /** Operators post and pay from the chat: the ledger is this connector itself. */
  readonly ledger: OperatorLedger = this;
  constructor(readonly id: string, private readonly db: Kysely<Database>, private readonly tenantId: string, private readonly clock: Clock) {}

  capabilities(): Capabilities {
    return { idempotency: 'lookup-only', push: 'none', canUnapprove: true, canDeleteAfterReject: true, approvalMode: 'bot-is-source' };
  }

  async createDocument(input: CreateDocumentInput): Promise<CreateResult> {
    const key = externalKeyString(input.externalKey);
    // Refused like a real ERP refuses a document it cannot book: with its reason, and nothing created.
    const amount = normalizeMoney(input.payload.amount ?? '');
    if (amount === null || amount.startsWith('-')) {
      throw new ExternalServiceError('sandbox-erp', 'erp.validation', `amount "${input.payload.amount ?? ''}" is not a positive decimal amount`, { retryable: false, details: { field: 'amount' } });
    }
    const status = input.autoApprove ? 'approved' : input.autoSubmit ? 'submitted' : 'saved';
    const inserted = await sql<{ id: number }>`
      with n as (select nextval(pg_get_serial_sequence('sandbox_erp_documents', 'id')) as id)
      insert into sandbox_erp_documents (id, tenant_id, number, doc_kind, external_key, payload, amount, status)
      select n.id, ${this.tenantId}, 'SBX-' || lpad(n.id::text, 6, '0'), ${input.docKind}, ${key}, ${JSON.stringify(input.payload)}, ${amount}, ${status}
      from n
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

  /**
   * Console "post" action: the ledger posts the approved document. `changed` is false when it already was.
   * With `db` (a transaction), the move commits with whatever else the caller writes there (the click).
   */
  post(ref: ErpDocRef, db: Kysely<Database> = this.db): Promise<LedgerMove> {
    return this.change(db, ref, ['approved'], 'posted', { posted_at: this.clock.now() });
  }

  /**
   * Console "pay" action: pays the full amount of a posted document with a bank reference (a ledger pays what
   * it has booked: an unposted document is refused with erp.not_allowed_in_state). `changed` is false when it
   * already was paid.
   */
  pay(ref: ErpDocRef, bankRef: string, db: Kysely<Database> = this.db): Promise<LedgerMove> {
    return this.change(db, ref, ['posted'], 'paid', { paid_at: this.clock.now(), paid_amount: sql`amount`, bank_ref: bankRef });
  }

  async getStatus(ref: ErpDocRef, db: Kysely<Database> = this.db): Promise<StatusSnapshot> {
    const row = await selectDoc(db, { id: Number(ref.id) });
    if (!row) throw new ExternalServiceError('sandbox-erp', 'erp.not_found', `no sandbox document ${ref.id}`, { retryable: false });
    return this.snapshot(row);
  }

  /**
   * Cursor = `<modified_at, microseconds>|<id>|<mode>` of the last row returned. A new poll (`mode` rest)
   * re-reads an overlap window before it, like a real poller must: a transaction that committed late may
   * carry an older timestamp, and the status sync ignores changes it has already applied. The pages after
   * it (`mode` next) go strictly forward by (modified_at, id), so a burst of more changes than a page holds
   * inside the window cannot pin the feed to the same rows.
   */
  async listChanges(cursor: string | null, opts: { limit?: number } = {}): Promise<ChangePage> {
    const limit = opts.limit ?? 100;
    const at = parseCursor(cursor);
    let q = this.db.selectFrom('sandbox_erp_documents').selectAll()
      .select(sql<string>`to_char(modified_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('modified_us'))
      .where('tenant_id', '=', this.tenantId);
    if (at?.mode === 'next') q = q.where(sql<boolean>`(modified_at, id) > (${at.ts}::timestamptz, ${at.id}::int)`);
    else if (at) q = q.where('modified_at', '>', sql<Date>`${at.ts}::timestamptz - ${`${OVERLAP_MS} milliseconds`}::interval`);
    const rows = await q.orderBy('modified_at').orderBy('id').limit(limit).execute();
    const last = rows.at(-1);
    const hasMore = rows.length === limit;
    // With rows: continue after the last one; a page that ends the poll leaves a cursor the next poll
    // re-reads the window from. Without rows: where this poll started.
    const nextCursor = last ? `${last.modified_us}|${last.id}|${hasMore ? 'next' : 'rest'}` : at ? `${at.ts}|${at.id}|rest` : cursor ?? '';
    return {
      changes: rows.map((r) => ({ ref: this.ref(r), to: r.status as CanonicalStatus, at: r.modified_at.toISOString(), source: 'poll' as const, snapshot: this.snapshot(r) })),
      nextCursor,
      hasMore,
    };
  }

  private async move(ref: ErpDocRef, from: string[], to: string, extra: Record<string, unknown> = {}): Promise<StatusSnapshot> {
    return (await this.change(this.db, ref, from, to, extra)).snapshot;
  }

  /** Moves a document by compare-and-set on its version; of two moves at once, one changes it and one finds it done. */
  private async change(db: Kysely<Database>, ref: ErpDocRef, from: string[], to: string, extra: Record<string, unknown>): Promise<LedgerMove> {
    const row = await selectDoc(db, { id: Number(ref.id) });
    if (!row) throw new ExternalServiceError('sandbox-erp', 'erp.not_found', `no sandbox document ${ref.id}`, { retryable: false });
    if (row.status === to) return { snapshot: this.snapshot(row), changed: false };
    if (!from.includes(row.status)) {
      throw new ExternalServiceError('sandbox-erp', 'erp.not_allowed_in_state', `document ${row.number} is ${row.status}; cannot become ${to}`,
        { retryable: false, httpStatus: 409, details: { number: row.number, status: row.status } });
    }
    const r = await db.updateTable('sandbox_erp_documents').set({ status: to, version: sql`version + 1`, modified_at: sql`clock_timestamp()`, ...extra })
      .where('id', '=', row.id).where('version', '=', row.version).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return this.change(db, ref, from, to, extra); // moved meanwhile: look again
    return { snapshot: await this.getStatus(ref, db), changed: true };
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

/** Cursors of this connector; a bare timestamp (an older cursor) counts as a fresh poll from there. */
function parseCursor(cursor: string | null): { ts: string; id: number; mode: 'next' | 'rest' } | null {
  if (!cursor) return null;
  const [ts = '', id = '0', mode = 'rest'] = cursor.split('|');
  if (Number.isNaN(Date.parse(ts))) return null;
  return { ts, id: Number(id) || 0, mode: mode === 'next' ? 'next' : 'rest' };
}
