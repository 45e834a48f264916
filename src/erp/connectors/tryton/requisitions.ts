import type { Logger } from 'pino';
import { ExternalServiceError } from '../../../core/errors.ts';
import type { DocKind, ErpDocRef } from '../../erp-connector.ts';
import type { ApprovalInbox, OriginatedDecision, OriginatedDoc, OriginatedPage } from '../../originated-port.ts';
import { validation } from './lookups.ts';
import {
  APPROVED_REQUISITION_STATES, REQUISITION_DATES, REQUISITION_FIELDS, REQUISITION_LINE_FIELDS, REQUISITION_LINE_MODEL, REQUISITION_MODEL,
  requisitionChanged, requisitionDoc, type DocContext, type RequisitionLineRow, type RequisitionRow,
} from './requisition-doc.ts';
import type { TrytonRpcClient } from './rpc-client.ts';
import { TRYTON_SERVICE, writeCall } from './rpc-errors.ts';
import { changedSinceDomain, decodeWindow, newestOf, nextWindow, resume } from './window-cursor.ts';

/**
 * Purchase requisitions made in Tryton, approved in chat (ApprovalInbox; mapping: requisition-doc.ts).
 *
 * - listOriginated: requisitions of the company changed since the cursor (window-cursor.ts), in any state, with their
 *   lines in one read a page, and the reason of a rejection from the requisition's notes.
 * - decide: the `approve` or `reject` button, then the state read back (Tryton ignores a button the state does not
 *   allow, silently). The approver is sent as the context's `employee`, so Tryton records them in approved_by /
 *   rejected_by; Tryton only takes an employee listed in the bot user's `employees` (res.user read, company module),
 *   otherwise it records nobody. A rejection's reason is written as a note (ir.note) on the requisition, which its
 *   owner sees in the Tryton client; creating a note needs write access to the requisition (ResourceAccessMixin), so
 *   the bot user needs the groups "Purchase Requisition Approval" (the buttons, any requisition) and "Purchase
 *   Requisition" (write). The note is written once per rejection: a retried decide finds it.
 */
const CURSOR_PREFIX = 'tr1.';
const NOTE_MODEL = 'ir.note';
const SIGNATURE = /\n— [^\n]+$/;

interface NoteRow { id: number; resource: string; message: string | null; create_date: string; create_uid: number | null }

function notFound(id: string): ExternalServiceError {
  return new ExternalServiceError(TRYTON_SERVICE, 'erp.not_found', `Tryton has no ${REQUISITION_MODEL} ${id}`, { retryable: false, httpStatus: 404, details: { model: REQUISITION_MODEL, id } });
}

export class TrytonRequisitions implements ApprovalInbox {
  private readonly doc: DocContext;

  constructor(
    private readonly rpc: TrytonRpcClient,
    private readonly o: { erp: string; docKinds: DocKind[]; link: (id: number) => string; logger: Logger },
  ) {
    this.doc = { erp: o.erp, link: o.link };
  }

  docKinds(): DocKind[] { return [...this.o.docKinds]; }

  async listOriginated(cursor: string | null, opts: { limit?: number } = {}): Promise<OriginatedPage> {
    const limit = Math.max(1, opts.limit ?? 100);
    const { since, after, newest } = resume(decodeWindow(CURSOR_PREFIX, cursor));
    const rows = await this.rpc.searchRead<RequisitionRow>(REQUISITION_MODEL, [
      ['company', '=', await this.company()], ['id', '>', after], ...changedSinceDomain(since, REQUISITION_DATES),
    ], REQUISITION_FIELDS, { limit, order: [['id', 'ASC']] });
    const { docs, changed } = await this.docs(rows);
    return {
      docs,
      ...nextWindow(CURSOR_PREFIX, { since, newest: newestOf(newest, ...changed), count: rows.length, limit, lastId: rows.at(-1)?.id ?? after }),
    };
  }

  async readOriginated(ref: ErpDocRef): Promise<OriginatedDoc | null> {
    const row = await this.row(this.recordId(ref));
    return row ? (await this.docs([row])).docs[0] ?? null : null;
  }

  /**
   * approve: waiting → approved (already approved, processing or done: success); reject: waiting → rejected, then the
   * reason as a note (already rejected: the note is made sure of). Any other state: erp.not_allowed_in_state.
   */
  async decide(ref: ErpDocRef, d: OriginatedDecision): Promise<OriginatedDoc> {
    const reason = d.reason?.trim();
    if (d.decision === 'reject' && !reason) throw validation('a rejection sent to Tryton needs a reason (it becomes a note on the requisition)');
    const id = this.recordId(ref);
    let row = await this.row(id);
    if (!row) throw notFound(String(id));
    const context = this.approverContext(d.approver);
    const [button, target] = d.decision === 'approve' ? ['approve', APPROVED_REQUISITION_STATES] : ['reject', ['rejected']];
    if (row.state === 'waiting') {
      await writeCall(`${button} ${REQUISITION_MODEL}`, () => this.rpc.button(REQUISITION_MODEL, button, [id], context));
      row = await this.row(id);
      if (!row) throw notFound(String(id));
      this.checkRecorded(row, d, context);
    }
    if (!target.includes(row.state)) {
      throw new ExternalServiceError(TRYTON_SERVICE, 'erp.not_allowed_in_state', `Tryton ${REQUISITION_MODEL} ${row.number ?? id} is ${row.state}: cannot ${button} it`, {
        retryable: false, httpStatus: 409, details: { model: REQUISITION_MODEL, id, state: row.state },
      });
    }
    if (d.decision === 'reject' && reason) await this.ensureNote(row, d.approver?.name ? `${reason}\n— ${d.approver.name}` : reason);
    const [doc] = (await this.docs([row])).docs;
    if (!doc) throw notFound(String(id));
    return d.decision === 'reject' && reason ? { ...doc, rejectReason: reason } : doc;
  }

  private recordId(ref: ErpDocRef): number {
    if (!this.o.docKinds.includes(ref.docKind)) throw validation(`the Tryton connector brings ${this.o.docKinds.join(', ')} documents to chat, not ${ref.docKind}`);
    const id = Number(ref.id);
    if (!/^[1-9]\d*$/.test(ref.id) || !Number.isSafeInteger(id)) {
      throw new ExternalServiceError(TRYTON_SERVICE, 'erp.not_found', `"${ref.id}" is not a Tryton record id`, { retryable: false, httpStatus: 404 });
    }
    return id;
  }

  /** The requisition as the bot may see it, or null (deleted; a search, since reading a missing id is an access error). */
  private async row(id: number): Promise<RequisitionRow | null> {
    const [row] = await this.rpc.searchRead<RequisitionRow>(REQUISITION_MODEL, [['id', '=', id]], REQUISITION_FIELDS, { limit: 1 });
    return row ?? null;
  }

  private async company(): Promise<number> {
    return (this.rpc.context ?? await this.rpc.login()).company;
  }

  /** `{ employee }` when the approver is a Tryton employee (their id as erp_person_links maps it). */
  private approverContext(approver: OriginatedDecision['approver']): Record<string, unknown> {
    const erpId = approver?.erpId;
    return erpId && /^[1-9]\d*$/.test(erpId) ? { employee: Number(erpId) } : {};
  }

  /** Tryton silently records nobody when the employee is not one of the bot user's: said in the log, the decision stands. */
  private checkRecorded(row: RequisitionRow, d: OriginatedDecision, context: Record<string, unknown>): void {
    const wanted = context.employee;
    const recorded = d.decision === 'approve' ? row.approved_by : row.rejected_by;
    if (wanted !== undefined && recorded !== wanted) {
      this.o.logger.warn({ erp: this.o.erp, requisition: row.id, employee: wanted, recorded },
        'Tryton did not record the approver: add the employee to the bot user\'s employees in Tryton');
    }
  }

  /** One note with this message since the rejection (the requisition's last write); a retry finds the first. */
  private async ensureNote(row: RequisitionRow, message: string): Promise<void> {
    const since = row.write_date ?? row.create_date;
    const existing = await this.notes([row.id]);
    if (existing.some((n) => n.message === message && n.create_date >= since)) return;
    await writeCall(`create ${NOTE_MODEL}`, () => this.rpc.create(NOTE_MODEL, [{ resource: `${REQUISITION_MODEL},${row.id}`, message }]));
  }

  private notes(ids: number[]): Promise<NoteRow[]> {
    return this.rpc.searchRead<NoteRow>(NOTE_MODEL, [['resource', 'in', ids.map((id) => `${REQUISITION_MODEL},${id}`)]],
      ['id', 'resource', 'message', 'create_date', 'create_uid'], { order: [['create_date', 'DESC'], ['id', 'DESC']] });
  }

  /** Documents of a page: one read of all their lines, one of the notes of those rejected. */
  private async docs(rows: RequisitionRow[]): Promise<{ docs: OriginatedDoc[]; changed: string[] }> {
    const lineIds = rows.flatMap((r) => r.lines);
    const lines = lineIds.length ? await this.rpc.read<RequisitionLineRow & { requisition: number }>(REQUISITION_LINE_MODEL, lineIds, [...REQUISITION_LINE_FIELDS, 'requisition']) : [];
    const rejected = rows.filter((r) => r.state === 'rejected');
    const notes = rejected.length ? await this.notes(rejected.map((r) => r.id)) : [];
    const own = (r: RequisitionRow) => lines.filter((l) => l.requisition === r.id);
    return {
      docs: rows.map((r) => requisitionDoc(this.doc, r, own(r), r.state === 'rejected' ? this.reasonOf(r, notes) : undefined)),
      changed: rows.map((r) => requisitionChanged(r, own(r))),
    };
  }

  /** The newest note written since the rejection; the signature line this connector adds is not part of the reason. */
  private reasonOf(row: RequisitionRow, notes: NoteRow[]): string | undefined {
    const since = row.write_date ?? row.create_date;
    const note = notes.find((n) => n.resource === `${REQUISITION_MODEL},${row.id}` && n.create_date >= since && n.message?.trim());
    if (!note?.message) return undefined;
    const mine = note.create_uid !== null && note.create_uid === this.rpc.currentSession?.userId;
    return (mine ? note.message.replace(SIGNATURE, '') : note.message).trim();
  }
}
