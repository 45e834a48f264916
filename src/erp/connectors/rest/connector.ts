import { ExternalServiceError } from '../../../core/errors.ts';
import type { MasterKind } from '../../../core/master-kinds.ts';
import { normalizeMoney } from '../../../core/money.ts';
import {
  externalKeyString, type Capabilities, type CanonicalStatus, type ChangePage, type CreateDocumentInput, type CreateResult,
  type DocKind, type ErpConnector, type ErpDocRef, type ExternalKey, type PushNotice, type StatusSnapshot,
} from '../../erp-connector.ts';
import { REST_OPERATIONS, type RestAdapterClient } from './client.ts';
import { REST_SERVICE, rpcError, type CallInfo } from './errors.ts';
import { RestMasterData } from './master.ts';
import { RestApprovalInbox } from './originated.ts';
import { parseRestPush } from './push.ts';
import type { RestSettings } from './settings.ts';
import {
  changePageSchema, createRequestSchema, createResponseSchema, decideRequestSchema, describeIssues, documentSchema, parseAnswer,
  restRef, toChange, toSnapshot, type RestDocument,
} from './status.ts';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;
/** Statuses at or past "approved" on the way to payment. */
const APPROVED_OR_LATER: readonly CanonicalStatus[] = ['approved', 'posted', 'partially_paid', 'paid'];

/**
 * The generic REST connector: any ERP behind an adapter that meets docs/erp-rest-contract.openapi.yaml.
 * Idempotency is the adapter's (PUT by our key), and the connector still looks the key up first, so a retry after
 * a lost answer returns the document the first attempt made. Every answer is checked against the contract.
 */
export class RestErpConnector implements ErpConnector {
  readonly erp = 'rest';
  /** Documents made in the ERP, approved in chat (the adapter's `/originated` and decide). */
  readonly approvals: RestApprovalInbox;
  /** The adapter's `/master-data`, narrowed to the instance file's `master_data.kinds` (null: every kind it shares). */
  readonly masterData: RestMasterData;

  constructor(
    readonly id: string, private readonly client: RestAdapterClient, private readonly settings: RestSettings, private readonly pushes: boolean,
    masterKinds: readonly MasterKind[] | null = null,
  ) {
    this.approvals = new RestApprovalInbox(id, this.erp, client, settings);
    this.masterData = new RestMasterData(id, client, masterKinds);
  }

  capabilities(): Capabilities {
    return {
      idempotency: 'server-key', push: this.pushes ? 'plugin' : 'none', canUnapprove: this.settings.decisions, canDeleteAfterReject: false,
      approvalMode: 'bot-is-source',
    };
  }

  async createDocument(input: CreateDocumentInput, opts: { signal?: AbortSignal } = {}): Promise<CreateResult> {
    const key = externalKeyString(input.externalKey);
    const body = this.createBody(input);
    const existing = await this.byKey(key, opts.signal);
    if (existing) return { ref: restRef(existing, this.erp), created: false, snapshot: toSnapshot(existing, this.erp) };
    const { status, json } = await this.client.call('put', { params: { external_key: key }, body, signal: opts.signal });
    const answer = parseAnswer(createResponseSchema, json, this.info('put'));
    if (answer.created !== (status === 201)) throw rpcError(this.info('put'), `HTTP ${status} with created: ${answer.created} (201 goes with true, 200 with false)`);
    this.expectKey(answer.document, key, 'put');
    return { ref: restRef(answer.document, this.erp), created: answer.created, snapshot: toSnapshot(answer.document, this.erp) };
  }

  async findByExternalKey(_docKind: DocKind, key: ExternalKey): Promise<ErpDocRef | null> {
    const d = await this.byKey(externalKeyString(key));
    return d ? restRef(d, this.erp) : null;
  }

  async getStatus(ref: ErpDocRef): Promise<StatusSnapshot> {
    return toSnapshot(await this.byId(ref.id), this.erp);
  }

  /** Documents reach the adapter submitted at least (the contract has no drafts): submitting is reading. */
  async submit(ref: ErpDocRef): Promise<StatusSnapshot> {
    const s = await this.getStatus(ref);
    if (s.status === 'rejected' || s.status === 'cancelled') throw this.wrongState(s, 'submit');
    return s;
  }

  async approve(ref: ErpDocRef, opts: { comment?: string } = {}): Promise<StatusSnapshot> {
    return this.decide(ref, 'approve', opts.comment, APPROVED_OR_LATER);
  }

  /** Rejects (un-approves) through the adapter's decide endpoint; the contract has no delete. */
  async reverse(ref: ErpDocRef, opts: { reason: string; deleteIfPossible?: boolean }): Promise<StatusSnapshot> {
    return this.decide(ref, 'reject', opts.reason, ['rejected', 'cancelled']);
  }

  /** `cursor` null or empty: from the beginning of the adapter's feed. Pages are at most 500 documents. */
  async listChanges(cursor: string | null, opts: { limit?: number } = {}): Promise<ChangePage> {
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(opts.limit ?? DEFAULT_PAGE)));
    const { json } = await this.client.call('changes', { query: { cursor: cursor || undefined, limit } });
    const page = parseAnswer(changePageSchema, json, this.info('changes'));
    if (page.changes.length > limit) throw rpcError(this.info('changes'), `${page.changes.length} changes for limit ${limit}`);
    return { changes: page.changes.map((d) => toChange(d, this.erp)), nextCursor: page.next_cursor, hasMore: page.has_more };
  }

  parsePush(body: unknown): PushNotice {
    return parseRestPush(body);
  }

  async close(): Promise<void> { /* stateless: no session to end */ }

  /** The PUT body, checked against the contract before anything is sent (bad data: erp.validation, nothing sent). */
  private createBody(input: CreateDocumentInput) {
    const allowed = this.settings.doc_kinds;
    if (allowed && !allowed.includes(input.docKind)) {
      throw this.validation(`ERP instance ${this.id} does not make ${input.docKind} documents (settings.doc_kinds: ${allowed.join(', ')})`);
    }
    // An empty value is a template that found nothing: it is left out rather than sent as "".
    const payload = Object.fromEntries(Object.entries(input.payload).filter(([, v]) => v !== ''));
    if (payload.amount !== undefined) payload.amount = normalizeMoney(payload.amount) ?? payload.amount;
    payload.currency ??= this.settings.currency;
    const r = createRequestSchema.safeParse({ doc_kind: input.docKind, payload, auto_approve: input.autoApprove === true });
    if (!r.success) throw this.validation(`the document for ${externalKeyString(input.externalKey)} is not valid: ${describeIssues(r.error)}`);
    return r.data;
  }

  private async byKey(key: string, signal?: AbortSignal): Promise<RestDocument | null> {
    try {
      const { json } = await this.client.call('getByKey', { params: { external_key: key }, signal });
      const d = parseAnswer(documentSchema, json, this.info('getByKey'));
      this.expectKey(d, key, 'getByKey');
      return d;
    } catch (e) {
      if (e instanceof ExternalServiceError && e.code === 'erp.not_found') return null;
      throw e;
    }
  }

  private async byId(id: string): Promise<RestDocument> {
    const { json } = await this.client.call('getById', { params: { id } });
    const d = parseAnswer(documentSchema, json, this.info('getById'));
    if (d.id !== id) throw rpcError(this.info('getById'), `asked for document ${id}, got ${d.id}`);
    return d;
  }

  /** A decision through the adapter, or (without `settings.decisions`) success only when the document is already there. */
  private async decide(ref: ErpDocRef, decision: 'approve' | 'reject', reason: string | undefined, done: readonly CanonicalStatus[]): Promise<StatusSnapshot> {
    if (!this.settings.decisions) {
      const s = await this.getStatus(ref);
      if (done.includes(s.status)) return s;
      throw this.wrongState(s, decision, 'the adapter takes no decisions (settings.decisions is false)');
    }
    const body = decideRequestSchema.parse({ decision, ...(reason ? { reason: reason.slice(0, 2000) } : {}) });
    const { json } = await this.client.call('decide', { params: { id: ref.id }, body });
    const d = parseAnswer(documentSchema, json, this.info('decide'));
    if (d.id !== ref.id) throw rpcError(this.info('decide'), `decided document ${ref.id}, got ${d.id}`);
    const s = toSnapshot(d, this.erp);
    // The answer is the document after the decision: an adapter that ignored it must not pass for one that did.
    if (!done.includes(s.status)) throw rpcError(this.info('decide'), `${decision} answered 200 but the document is ${s.status}`);
    return s;
  }

  private expectKey(d: RestDocument, key: string, op: keyof typeof REST_OPERATIONS): void {
    if (d.external_key !== key) throw rpcError(this.info(op), `asked for external key ${key}, got ${JSON.stringify(d.external_key)}`);
  }

  private info(op: keyof typeof REST_OPERATIONS): CallInfo {
    const spec = REST_OPERATIONS[op];
    return { instance: this.id, op: `${spec.method} ${spec.path}` };
  }

  private validation(message: string): ExternalServiceError {
    return new ExternalServiceError(REST_SERVICE, 'erp.validation', message, { retryable: false, httpStatus: 422, details: { instance: this.id } });
  }

  private wrongState(s: StatusSnapshot, what: string, why?: string): ExternalServiceError {
    const number = s.ref.number ?? s.ref.id;
    return new ExternalServiceError(REST_SERVICE, 'erp.not_allowed_in_state', `document ${number} is ${s.status}; cannot ${what}${why ? `: ${why}` : ''}`, {
      retryable: false, httpStatus: 409, details: { instance: this.id, id: s.ref.id, status: s.status },
    });
  }
}
