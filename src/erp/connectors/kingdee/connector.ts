import type { Clock } from '../../../core/clock.ts';
import { ExternalServiceError } from '../../../core/errors.ts';
import {
  externalKeyString, type CanonicalStatus, type Capabilities, type ChangePage, type CreateDocumentInput, type CreateResult, type DocKind,
  type ErpConnector, type ErpDocRef, type ExternalKey, type StatusSnapshot,
} from '../../erp-connector.ts';
import { KingdeeChangeFeed } from './changes.ts';
import { SERVICES, type KingdeeClient, type Operation } from './client.ts';
import { fromStatus, KINGDEE_SERVICE, messages, resultUnknown, type K3Status } from './client-errors.ts';
import { buildModel } from './model.ts';
import type { MasterKind } from '../../../core/master-kinds.ts';
import type { MasterDataSource } from '../../master-data-port.ts';
import type { ApprovalInbox } from '../../originated-port.ts';
import { KingdeeMasterData } from './master.ts';
import { KingdeeApprovalInbox } from './originated.ts';
import { KingdeeReader, type BillRead } from './reader.ts';
import type { KingdeeForm, KingdeeSettings } from './settings.ts';
import { resolveMasterForms, resolveOriginForms } from './settings-origin.ts';
import { isoToK3Time } from './status.ts';

/**
 * Kingdee K3 Cloud (金蝶云星空) as an ErpConnector. The bot's approval is the source of truth: a bill is created by
 * Save (never IsAutoSubmitAndAudit, so each step's outcome is read back), then Submit and Audit; reversing is UnAudit
 * (audited), CancelAssign (submitted, 撤销) and optionally Delete. K3 has no server-side idempotency key and no push:
 * our key sits in a field of the bill (settings.key_field) and is looked up with ExecuteBillQuery before every Save;
 * state changes are polled (changes.ts). After every operation the bill is read again: a refusal ("只有暂存、创建和重新审核
 * 的数据才允许提交") or an operation that did not move the bill is judged by the state it left, so "already submitted /
 * already audited" counts as done (https://github.com/leoluonet/k3cloud-webapi-sdk, OperateParam / OperatorResult).
 */
const APPROVED_OR_LATER: CanonicalStatus[] = ['approved', 'posted', 'partially_paid', 'paid'];
const EDITABLE: CanonicalStatus[] = ['draft', 'saved'];

function notAllowed(message: string, details: Record<string, unknown>): ExternalServiceError {
  return new ExternalServiceError(KINGDEE_SERVICE, 'erp.not_allowed_in_state', message, { retryable: false, httpStatus: 409, details });
}

export class KingdeeConnector implements ErpConnector {
  readonly erp = 'kingdee';
  private readonly reader: KingdeeReader;
  private readonly feed: KingdeeChangeFeed;
  /** ERP-made bills for approval in chat (originated.ts): the kinds in settings.originated, narrowed to the instance's `approvals` when it lists any. */
  readonly approvals: ApprovalInbox;
  /** Base data (master.ts): the kinds in settings.master_data, narrowed to the instance's `master_data.kinds`. */
  readonly masterData: MasterDataSource;

  constructor(
    readonly id: string, private readonly s: KingdeeSettings, private readonly client: KingdeeClient, private readonly forms: KingdeeForm[], private readonly clock: Clock,
    opts: { approvalKinds?: string[]; masterKinds?: MasterKind[] | null } = {},
  ) {
    this.reader = new KingdeeReader(this.erp, s, client);
    this.feed = new KingdeeChangeFeed(s, client, this.reader, forms);
    const wanted = opts.approvalKinds?.length ? opts.approvalKinds : null;
    const originForms = resolveOriginForms(s.originated).filter((f) => !wanted || wanted.includes(f.docKind));
    const keyField = (formId: string): string => forms.find((f) => f.formId.toLowerCase() === formId.toLowerCase())?.keyField ?? s.key_field;
    this.approvals = new KingdeeApprovalInbox(this.erp, s, client, originForms, keyField);
    this.masterData = new KingdeeMasterData(s, client, resolveMasterForms(s.master_data), opts.masterKinds ?? null);
  }

  capabilities(): Capabilities {
    return { idempotency: 'lookup-only', push: 'none', canUnapprove: true, canDeleteAfterReject: true, approvalMode: 'bot-is-source' };
  }

  private form(docKind: DocKind): KingdeeForm {
    const f = this.forms.find((x) => x.docKind === docKind);
    if (!f) throw new ExternalServiceError(KINGDEE_SERVICE, 'erp.validation', `Kingdee instance ${this.id} has no mapping for ${docKind} (settings.documents)`, { retryable: false, httpStatus: 422, details: { docKind } });
    return f;
  }

  private formOf(ref: ErpDocRef): KingdeeForm {
    return this.forms.find((x) => x.docKind === ref.docKind && x.formId === ref.formId) ?? this.forms.find((x) => x.formId === ref.formId) ?? this.form(ref.docKind);
  }

  async createDocument(input: CreateDocumentInput): Promise<CreateResult> {
    const form = this.form(input.docKind);
    const key = externalKeyString(input.externalKey);
    let read = await this.reader.billByKey(form, key);
    const created = !read;
    if (!read) {
      const payload = { ...input.payload };
      if (!payload.date && form.fields.date) payload.date = isoToK3Time(this.clock.now().toISOString(), this.s.timezone).slice(0, 10);
      const saved = await this.client.save(form.formId, buildModel(form, payload, key, this.s.currencies));
      if (!saved.status.isSuccess) throw fromStatus(SERVICES.save, saved.status);
      read = await this.reader.billById(form, saved.id) ?? await this.reader.billByKey(form, key);
      if (!read) throw resultUnknown(SERVICES.save, `K3 saved bill ${saved.number || saved.id} but it cannot be read back by its key (is ${form.keyField} on ${form.formId}?)`);
    }
    let snapshot = (await this.reader.snapshots([read]))[0] as StatusSnapshot;
    // A bill found by its key continues our own interrupted flow only while it is ours to move (saved or submitted);
    // one K3 sent back (D after UnAudit) or cancelled stays as it is.
    const resumable = created || EDITABLE.includes(snapshot.status) || snapshot.status === 'submitted';
    if (resumable && input.autoApprove) snapshot = await this.approve(snapshot.ref);
    else if (resumable && input.autoSubmit && EDITABLE.includes(snapshot.status)) snapshot = await this.submit(snapshot.ref);
    return { ref: snapshot.ref, created, snapshot };
  }

  async findByExternalKey(docKind: DocKind, key: ExternalKey): Promise<ErpDocRef | null> {
    return (await this.reader.billByKey(this.form(docKind), externalKeyString(key)))?.ref ?? null;
  }

  async getStatus(ref: ErpDocRef): Promise<StatusSnapshot> {
    return (await this.reader.snapshots([await this.mustRead(ref)]))[0] as StatusSnapshot;
  }

  async submit(ref: ErpDocRef): Promise<StatusSnapshot> {
    const now = await this.getStatus(ref);
    if (!EDITABLE.includes(now.status) && now.status !== 'rejected') return now;
    return this.operate(ref, 'submit', (st) => st === 'submitted' || APPROVED_OR_LATER.includes(st));
  }

  /** Audit; a saved (or sent back) bill is submitted first, since K3 audits only submitted bills. */
  async approve(ref: ErpDocRef): Promise<StatusSnapshot> {
    let now = await this.getStatus(ref);
    if (APPROVED_OR_LATER.includes(now.status)) return now;
    if (EDITABLE.includes(now.status) || now.status === 'rejected') now = await this.submit(ref);
    if (APPROVED_OR_LATER.includes(now.status)) return now;
    return this.operate(ref, 'audit', (st) => APPROVED_OR_LATER.includes(st));
  }

  /** UnAudit an audited bill (C → D), CancelAssign a submitted one; then Delete when asked and K3 allows it. */
  async reverse(ref: ErpDocRef, opts: { reason: string; deleteIfPossible?: boolean }): Promise<StatusSnapshot> {
    let now = await this.getStatus(ref);
    const back = (st: CanonicalStatus): boolean => st !== 'submitted' && !APPROVED_OR_LATER.includes(st);
    if (APPROVED_OR_LATER.includes(now.status)) now = await this.operate(ref, 'unAudit', back);
    else if (now.status === 'submitted') now = await this.operate(ref, 'cancelAssign', back);
    if (!opts.deleteIfPossible || now.status === 'cancelled') return now;
    const status = await this.client.operate('delete', this.formOf(ref).formId, [ref.id]);
    const after = await this.reader.billById(this.formOf(ref), ref.id);
    if (after) {
      if (!status.isSuccess) return now; // K3 keeps it (referenced downstream, say): it stays un-audited
      throw notAllowed(`K3 accepted Delete of ${ref.number ?? ref.id} but the bill is still there`, { id: ref.id });
    }
    return { ...now, status: 'cancelled', raw: { ...now.raw, deleted: true, reason: opts.reason }, versionStamp: `deleted|${now.versionStamp}` };
  }

  listChanges(cursor: string | null, opts: { limit?: number } = {}): Promise<ChangePage> {
    return this.feed.list(cursor, Math.max(1, Math.min(opts.limit ?? 100, 2000)));
  }

  async close(): Promise<void> {
    this.client.dropSession();
  }

  private async mustRead(ref: ErpDocRef): Promise<BillRead> {
    const read = await this.reader.billById(this.formOf(ref), ref.id);
    if (!read) throw new ExternalServiceError(KINGDEE_SERVICE, 'erp.not_found', `no ${ref.formId} bill ${ref.number ?? ref.id} with our key in K3`, { retryable: false, httpStatus: 404, details: { id: ref.id, formId: ref.formId } });
    return read;
  }

  /** Runs one operation and judges it by the state the bill is in afterwards. */
  private async operate(ref: ErpDocRef, op: Operation, done: (st: CanonicalStatus) => boolean): Promise<StatusSnapshot> {
    const status: K3Status = await this.client.operate(op, this.formOf(ref).formId, [ref.id]);
    const after = await this.getStatus(ref);
    if (done(after.status)) return after;
    if (!status.isSuccess && [2, 7, 15].includes(status.msgCode)) throw fromStatus(SERVICES[op], status);
    const why = status.isSuccess ? `K3 accepted ${op} but the bill is still ${after.status}` : messages(status);
    throw notAllowed(why, { op, id: ref.id, number: after.ref.number, status: after.status, documentStatus: after.raw.FDocumentStatus, errors: status.errors });
  }
}
