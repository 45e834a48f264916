import { ExternalServiceError, ValidationError } from '../../../core/errors.ts';
import type { DocKind, ErpDocRef } from '../../erp-connector.ts';
import type { ApprovalInbox, OriginatedDecision, OriginatedDoc, OriginatedPage } from '../../originated-port.ts';
import { SERVICES, type KingdeeClient, type Operation } from './client.ts';
import { fromStatus, KINGDEE_SERVICE, messages, type K3Status } from './client-errors.ts';
import { quote } from './model.ts';
import { OriginReader } from './origin-reader.ts';
import type { KingdeeSettings } from './settings.ts';
import type { ResolvedOriginForm } from './settings-origin.ts';
import { isoToK3Time, k3TimeToIso } from './status.ts';

/**
 * Bills made and submitted by people in K3 (not by the service) come to chat for approval, and the decision goes
 * back to the bill. K3's own operations (DynamicFormService, ServiceNames as in Kingdee's SDK
 * https://github.com/leoluonet/k3cloud-webapi-sdk K3CloudApi.java; request fields CreateOrgId / Numbers / Ids /
 * NetworkCtrl as in https://github.com/Xueyu334/kingdee-k3cloud-open-api …/dto/request/AuditRequest.java,
 * UnAuditRequest.java, CancelAssignRequest.java "撤销操作请求"):
 * - approve: Audit, B 审核中 → C 已审核. Already C counts as done; any other state is sent anyway and K3's own
 *   refusal ("只有审核中的数据才允许审核" and the like) comes back as erp.not_allowed_in_state with its words.
 * - reject: a B bill is taken back with CancelAssign (撤销: B → A, the bill returns to its maker unaudited), a C bill
 *   with UnAudit (C → D 重新审核); then the reason is written to the form's remark field by a Save that names only
 *   that field (NeedUpDateFields, the bill's FID, IsDeleteEntry false). The state change goes first: K3 saves bills
 *   only while they are with their maker (Z/A/D); a submitted or audited bill is locked against edits, which is why
 *   the documented order is un-audit, then edit. A bill already back with its maker counts as done once the reason is
 *   on it (a retried reject writes it if it is missing).
 * - The feed: per form, bills whose FModifyDate (or FCreateDate) is at or after the cursor's last change less an
 *   overlap window, then strictly forward by (FModifyDate, FID) while pages are full — the scheme of changes.ts.
 */
interface StreamPos { t: string; i: number; m: 'next' | 'rest' }
interface Cursor { f: number; p: Record<string, StreamPos> }

function decode(cursor: string | null): Cursor {
  if (!cursor) return { f: 0, p: {} };
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.f === 'number' && c.p && typeof c.p === 'object') return c;
  } catch { /* below */ }
  throw new ValidationError('erp.cursor_invalid', 'not a Kingdee originated-bills cursor');
}
const encode = (c: Cursor): string => Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');

function notAllowed(message: string, details: Record<string, unknown>): ExternalServiceError {
  return new ExternalServiceError(KINGDEE_SERVICE, 'erp.not_allowed_in_state', message, { retryable: false, httpStatus: 409, details });
}

export class KingdeeApprovalInbox implements ApprovalInbox {
  private readonly reader: OriginReader;

  constructor(erp: string, private readonly s: KingdeeSettings, private readonly client: KingdeeClient, private readonly forms: ResolvedOriginForm[], keyField: (formId: string) => string) {
    this.reader = new OriginReader(erp, s, client, keyField);
  }

  docKinds(): DocKind[] {
    return this.forms.map((f) => f.docKind);
  }

  private filter(pos: StreamPos | undefined): string {
    const mod = this.s.modify_date_field;
    if (!pos) return '';
    const t = pos.t.replace('T', ' ');
    if (pos.m === 'next') return `${mod} > ${quote(t)} OR (${mod} = ${quote(t)} AND FID > ${pos.i})`;
    const since = isoToK3Time(new Date(new Date(k3TimeToIso(pos.t, this.s.timezone)).getTime() - this.s.poll_overlap_seconds * 1000).toISOString(), this.s.timezone);
    return `${mod} >= ${quote(since)} OR ${this.s.create_date_field} >= ${quote(since)}`;
  }

  async listOriginated(cursor: string | null, opts: { limit?: number } = {}): Promise<OriginatedPage> {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 2000));
    const c = decode(cursor);
    const docs: OriginatedDoc[] = [];
    let remaining = limit;
    for (let idx = Math.min(c.f, this.forms.length); idx < this.forms.length; idx++) {
      const form = this.forms[idx] as ResolvedOriginForm;
      const prev = c.p[form.formId];
      const heads = await this.reader.headers(form, this.filter(prev), { order: `${this.s.modify_date_field} ASC, FID ASC`, limit: remaining });
      docs.push(...await this.reader.docs(form, heads.map((h) => h.id)));
      const last = heads.at(-1);
      const full = heads.length >= remaining;
      if (last) c.p[form.formId] = { t: last.modify || last.create, i: Number(last.id), m: full ? 'next' : 'rest' };
      else if (prev) c.p[form.formId] = { ...prev, m: 'rest' };
      remaining -= heads.length;
      if (full) return { docs, nextCursor: encode({ f: idx, p: c.p }), hasMore: true };
    }
    return { docs, nextCursor: encode({ f: 0, p: c.p }), hasMore: false };
  }

  private formOf(ref: ErpDocRef): ResolvedOriginForm {
    const form = this.forms.find((f) => f.formId.toLowerCase() === ref.formId.toLowerCase()) ?? this.forms.find((f) => f.docKind === ref.docKind);
    if (!form) throw new ExternalServiceError(KINGDEE_SERVICE, 'erp.validation', `K3 form ${ref.formId} is not brought to chat on this instance (settings.originated.forms)`, { retryable: false, httpStatus: 422, details: { formId: ref.formId } });
    return form;
  }

  async readOriginated(ref: ErpDocRef): Promise<OriginatedDoc | null> {
    if (!/^\d+$/.test(ref.id)) return null;
    return (await this.reader.docs(this.formOf(ref), [ref.id]))[0] ?? null;
  }

  private async mustRead(ref: ErpDocRef): Promise<OriginatedDoc> {
    const doc = await this.readOriginated(ref);
    if (!doc) throw new ExternalServiceError(KINGDEE_SERVICE, 'erp.not_found', `K3 has no ${ref.formId} bill ${ref.number ?? ref.id} any more`, { retryable: false, httpStatus: 404, details: { formId: ref.formId, id: ref.id } });
    return doc;
  }

  async decide(ref: ErpDocRef, d: OriginatedDecision): Promise<OriginatedDoc> {
    const reason = d.reason?.trim() ?? '';
    if (d.decision !== 'approve' && d.decision !== 'reject') throw new ValidationError('erp.validation', `unknown decision "${String(d.decision)}"`);
    if (d.decision === 'reject' && !reason) throw new ValidationError('erp.validation', 'a rejection needs a reason (it is written on the bill for its maker)');
    const now = await this.mustRead(ref);
    if (now.state === 'cancelled') throw notAllowed(`K3 bill ${now.ref.number} is cancelled (作废)`, { id: ref.id, state: now.state });
    return d.decision === 'approve' ? this.approve(now) : this.reject(now, reason);
  }

  private async approve(now: OriginatedDoc): Promise<OriginatedDoc> {
    if (now.state === 'approved') return now;
    return this.operate(now, 'audit', (st) => st === 'approved');
  }

  private async reject(now: OriginatedDoc, reason: string): Promise<OriginatedDoc> {
    let doc = now;
    if (doc.state === 'waiting') doc = await this.operate(doc, 'cancelAssign', (st) => st === 'draft');
    else if (doc.state === 'approved') doc = await this.operate(doc, 'unAudit', (st) => st === 'draft');
    if (doc.state !== 'draft') throw notAllowed(`K3 bill ${doc.ref.number} is ${String(doc.raw.FDocumentStatus)}, not one that can be sent back`, { id: doc.ref.id, state: doc.state });
    if (doc.raw.remark === reason) return doc;
    const form = this.formOf(doc.ref);
    const status = await this.client.saveFields(form.formId, doc.ref.id, { [form.remarkField]: reason });
    if (!status.isSuccess) throw fromStatus(SERVICES.save, status);
    const after = await this.mustRead(doc.ref);
    if (after.raw.remark !== reason) throw notAllowed(`K3 accepted the reason on ${doc.ref.number} (${form.remarkField}) but does not show it`, { id: doc.ref.id, field: form.remarkField });
    return after;
  }

  /** One operation, judged by the state the bill is in afterwards (a refusal carries K3's own words). */
  private async operate(now: OriginatedDoc, op: Operation, done: (st: OriginatedDoc['state']) => boolean): Promise<OriginatedDoc> {
    const status: K3Status = await this.client.operate(op, now.ref.formId, [now.ref.id]);
    const after = await this.mustRead(now.ref);
    if (done(after.state)) return after;
    if (!status.isSuccess && [2, 7, 15].includes(status.msgCode)) throw fromStatus(SERVICES[op], status);
    const why = status.isSuccess ? `K3 accepted ${op} but bill ${now.ref.number} is still ${String(after.raw.FDocumentStatus)}` : messages(status);
    throw notAllowed(why, { op, id: now.ref.id, number: now.ref.number, documentStatus: after.raw.FDocumentStatus, errors: status.errors });
  }
}
