import { ExternalServiceError } from '../../../core/errors.ts';
import type { DocKind, ErpDocRef } from '../../erp-connector.ts';
import type { ApprovalInbox, OriginatedDecision, OriginatedDoc, OriginatedPage } from '../../originated-port.ts';
import { REST_OPERATIONS, type RestAdapterClient, type RestOperation } from './client.ts';
import { REST_SERVICE, rpcError, type CallInfo } from './errors.ts';
import { originatedDocumentSchema, originatedPageSchema, toOriginated } from './originated-schema.ts';
import type { RestSettings } from './settings.ts';
import { decideRequestSchema, documentSchema, parseAnswer } from './status.ts';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

/**
 * Documents made in the ERP and approved in chat, through the adapter's `/originated` feed and its decide call
 * (docs/erp-rest-contract.openapi.yaml). A decision is sent, then the document is read back: the answer of the
 * decide call is the Document view, the read-back is what the service keeps.
 */
export class RestApprovalInbox implements ApprovalInbox {
  constructor(private readonly instance: string, private readonly erp: string, private readonly client: RestAdapterClient, private readonly settings: RestSettings) {}

  docKinds(): DocKind[] {
    return [...this.settings.originated_kinds];
  }

  /** Documents of kinds this instance does not bring to chat are skipped (the cursor still moves past them). */
  async listOriginated(cursor: string | null, opts: { limit?: number } = {}): Promise<OriginatedPage> {
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(opts.limit ?? DEFAULT_PAGE)));
    const { json } = await this.client.call('originated', { query: { cursor: cursor || undefined, limit } });
    const page = parseAnswer(originatedPageSchema, json, this.info('originated'));
    if (page.documents.length > limit) throw rpcError(this.info('originated'), `${page.documents.length} documents for limit ${limit}`);
    const kinds = new Set<string>(this.settings.originated_kinds);
    return {
      docs: page.documents.filter((d) => kinds.has(d.doc_kind)).map((d) => toOriginated(d, this.erp)),
      nextCursor: page.next_cursor, hasMore: page.has_more,
    };
  }

  /** Only `ref.id` is used: the service may hold nothing else of a document it has not seen yet. */
  async readOriginated(ref: ErpDocRef): Promise<OriginatedDoc | null> {
    let json: unknown;
    try {
      ({ json } = await this.client.call('getOriginated', { params: { id: ref.id } }));
    } catch (e) {
      if (e instanceof ExternalServiceError && e.code === 'erp.not_found') return null;
      throw e;
    }
    const d = parseAnswer(originatedDocumentSchema, json, this.info('getOriginated'));
    if (d.id !== ref.id) throw rpcError(this.info('getOriginated'), `asked for document ${ref.id}, got ${d.id}`);
    return toOriginated(d, this.erp);
  }

  /**
   * Approve, or reject with a reason (written where the owner sees it). Deciding again the same way is the
   * adapter's 200; a document no longer waiting is its 409 (erp.not_allowed_in_state); deleted is erp.not_found.
   */
  async decide(ref: ErpDocRef, d: OriginatedDecision): Promise<OriginatedDoc> {
    const reason = d.reason?.trim();
    if (d.decision === 'reject' && !reason) throw this.validation(`rejecting document ${ref.number ?? ref.id} needs a reason for its owner`);
    if (!this.settings.decisions) throw this.validation(`ERP instance ${this.instance} takes no decisions (settings.decisions is false)`);
    const approver = d.approver ? { ...(d.approver.erpId ? { id: d.approver.erpId.slice(0, 100) } : {}), name: d.approver.name.slice(0, 200) } : undefined;
    const parsed = decideRequestSchema.safeParse({ decision: d.decision, ...(reason ? { reason: reason.slice(0, 2000) } : {}), ...(approver?.name ? { approver } : {}) });
    if (!parsed.success) throw this.validation(`the decision on document ${ref.number ?? ref.id} is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const { json } = await this.client.call('decide', { params: { id: ref.id }, body: parsed.data });
    const doc = parseAnswer(documentSchema, json, this.info('decide'));
    if (doc.id !== ref.id) throw rpcError(this.info('decide'), `decided document ${ref.id}, got ${doc.id}`);
    const done = d.decision === 'approve' ? ['approved', 'posted', 'partially_paid', 'paid'] : ['rejected', 'cancelled'];
    // The answer is the document after the decision: an adapter that ignored it must not pass for one that did.
    if (!done.includes(doc.status)) throw rpcError(this.info('decide'), `${d.decision} answered 200 but the document is ${doc.status}`);
    const after = await this.readOriginated(ref);
    if (!after) {
      throw new ExternalServiceError(REST_SERVICE, 'erp.not_found', `document ${ref.number ?? ref.id} was deleted right after the decision`, {
        retryable: false, httpStatus: 404, details: { instance: this.instance, id: ref.id },
      });
    }
    return after;
  }

  private info(op: RestOperation): CallInfo {
    const spec = REST_OPERATIONS[op];
    return { instance: this.instance, op: `${spec.method} ${spec.path}` };
  }

  private validation(message: string): ExternalServiceError {
    return new ExternalServiceError(REST_SERVICE, 'erp.validation', message, { retryable: false, httpStatus: 422, details: { instance: this.instance } });
  }
}
